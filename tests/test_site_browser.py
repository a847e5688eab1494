"""The built section in a real browser (Debian's headless Chromium driven by selenium).

It must open from files with no console error and no network request, read on a phone and a
desktop (screenshots saved under the programme's out/ for a person to look at), print without
its menu, and keep WCAG AA contrast for every piece of text.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sync.cli import main

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
if not (CHROMIUM and DRIVER):
    if os.environ.get("CI"):
        raise RuntimeError("CI must have Debian's chromium and chromium-driver (.ci/run installs them)")
    pytest.skip("нет chromium и chromium-driver (apt-get install chromium chromium-driver)", allow_module_level=True)

from selenium import webdriver  # noqa: E402  (only once the browser is known to be there)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

PHONE, DESKTOP = (390, 844), (1280, 900)
PAGES = ("index.html", "roadmap.html", "practices.html", "mentors.html")

# Contrast of every element's own text against the background it is drawn on (WCAG 2.1 1.4.3).
CONTRAST_JS = """
function lum(c){const v=c.map(x=>{x/=255;return x<=0.03928?x/12.92:Math.pow((x+0.055)/1.055,2.4)});
  return 0.2126*v[0]+0.7152*v[1]+0.0722*v[2];}
function rgba(s){const m=s.match(/[\\d.]+/g).map(Number);return [m[0],m[1],m[2],m.length>3?m[3]:1];}
function bg(el){for(;el;el=el.parentElement){const c=rgba(getComputedStyle(el).backgroundColor);
  if(c[3]>0.99)return c;}return [255,255,255,1];}
const bad=[];
for(const el of document.querySelectorAll('body *')){
  const own=[...el.childNodes].some(n=>n.nodeType===3&&n.textContent.trim());
  const st=getComputedStyle(el);
  if(!own||st.display==='none'||st.visibility==='hidden'||el.offsetWidth===0)continue;
  const f=lum(rgba(st.color)),b=lum(bg(el));const ratio=(Math.max(f,b)+0.05)/(Math.min(f,b)+0.05);
  const size=parseFloat(st.fontSize),bold=parseInt(st.fontWeight)>=700;
  const need=(size>=24||(bold&&size>=18.66))?3:4.5;
  if(ratio<need)bad.push(el.tagName+' «'+el.textContent.trim().slice(0,30)+'» '+ratio.toFixed(2));
}
return bad;
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1",
                 "--host-resolver-rules=MAP * ~NOTFOUND",  # a request that slipped through would fail loudly
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def built(lived_programme) -> tuple[Path, object]:
    config, lived = lived_programme
    out = config.root / "site"
    result = CliRunner().invoke(main, ["site", "--config", str(config.path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, config


LOCAL = ("file:", "data:", "about:", "chrome:")  # the files, and the browser's own start page


def requests_made(driver) -> list[str]:
    """Every URL the browser asked for since the last call (Chrome's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def full_screenshot(driver, path: Path, width: int) -> None:
    driver.set_window_size(width, 800)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(height, 6000))
    driver.save_screenshot(str(path))


def test_the_section_opens_offline_with_no_errors_and_reads_on_phone_and_desktop(browser, built) -> None:
    out, config = built
    shots = config.out_dir / "site-screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    browser.get_log("browser"), browser.get_log("performance")  # start clean
    for page in PAGES:
        for label, (width, height) in (("phone", PHONE), ("desktop", DESKTOP)):
            browser.set_window_size(width, height)
            browser.get((out / page).as_uri())
            assert browser.execute_script("return document.documentElement.lang") == "ru"
            assert browser.find_element(By.TAG_NAME, "h1").text
            assert browser.find_elements(By.CSS_SELECTOR, "header nav a[aria-current=page]")
            # nothing wider than the screen: no sideways scrolling on a phone
            assert browser.execute_script("return document.documentElement.scrollWidth") <= width, (page, label)
            assert browser.execute_script(CONTRAST_JS) == [], (page, label)
            full_screenshot(browser, shots / f"{page.removesuffix('.html')}-{label}.png", width)
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    urls = requests_made(browser)
    assert (out / "style.css").as_uri() in urls  # the log sees requests: the check below can fail
    assert [u for u in urls if not u.startswith(LOCAL)] == []
    assert len(list(shots.glob("*.png"))) == 8


def test_key_content_through_the_dom(browser, built) -> None:
    out, config = built
    browser.set_window_size(*DESKTOP)
    browser.get((out / "roadmap.html").as_uri())
    stages = browser.find_elements(By.CSS_SELECTOR, "main section h2")
    assert len(stages) == 7
    rows = browser.find_elements(By.CSS_SELECTOR, "table.roadmap tbody tr")
    assert len(rows) == 24
    statuses = {e.text for e in browser.find_elements(By.CSS_SELECTOR, "table.roadmap .status")}
    assert statuses <= {"выполнено", "в работе", "просрочено", "не начато"} and "просрочено" in statuses
    browser.get((out / "practices.html").as_uri())
    titles = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "article.case h2")]
    assert titles == ["Робототехника с нуля"]
    facts = browser.find_element(By.CSS_SELECTOR, "article.case dl").text
    assert "Направленность" in facts and "Результат" in facts
    browser.get((out / "mentors.html").as_uri())
    cells = browser.find_elements(By.CSS_SELECTOR, "table.mentors tbody tr")
    assert len(cells) == 1  # two long-term mentors, one consented to publication
    browser.get((out / "index.html").as_uri())
    figures = browser.find_elements(By.CSS_SELECTOR, ".figures li")
    assert len(figures) == 4
    # phone: table cells carry their column's label
    browser.set_window_size(*PHONE)
    browser.get((out / "roadmap.html").as_uri())
    label = browser.execute_script(
        "return getComputedStyle(document.querySelector('table.roadmap td'), '::before').content")
    assert "№" in label
    # print: no menu
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not browser.find_element(By.CSS_SELECTOR, "header nav").is_displayed()
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
