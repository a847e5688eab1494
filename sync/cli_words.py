"""click's own words in Russian: help headings, metavars, defaults, ranges and usage errors."""

from __future__ import annotations

import re

import click


class Failure(click.ClickException):
    """A one-line Russian reason, exit code 1."""

    def show(self, file=None) -> None:  # noqa: D102 — click's hook
        click.echo(f"Ошибка: {self.format_message()}", err=True, file=file)


class RussianFormatter(click.HelpFormatter):
    """click's help, with its own words in Russian too."""

    HEADINGS = {"Options": "Параметры", "Commands": "Команды", "Arguments": "Аргументы"}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, _russian(args.replace("[OPTIONS]", "[ПАРАМЕТРЫ]").replace("COMMAND", "КОМАНДА")
                                           .replace("[ARGS]...", "[АРГУМЕНТЫ]...")), prefix="Запуск: ")

    def write_heading(self, heading: str) -> None:
        super().write_heading(self.HEADINGS.get(heading, heading))

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:  # noqa: D102 — click's hook
        super().write_dl([(_russian(a), _russian(b)) for a, b in rows], col_max, col_spacing)


# click's own words in help and usage: types, defaults, ranges.
CLICK_WORDS = (
    ("INTEGER RANGE", "ЧИСЛО"),
    ("INTEGER", "ЧИСЛО"),
    ("FLOAT", "ЧИСЛО"),
    ("DIRECTORY", "ПАПКА"),
    ("FOLDER", "ПАПКА"),
    ("FILE", "ФАЙЛ"),
    ("PATH", "ФАЙЛ"),
    ("TEXT", "ТЕКСТ"),
    ("[default: ", "[по умолчанию: "),
    ("[required]", "[обязательно]"),
)


def _russian(text: str) -> str:
    """click's English words in a help line -> Russian (ranges «1<=x<=100» -> «от 1 до 100»)."""
    for english, russian in CLICK_WORDS:
        text = text.replace(english, russian)
    return re.sub(r"(-?\d+)<=x<=(-?\d+)", r"от \1 до \2", text)


class RussianContext(click.Context):
    formatter_class = RussianFormatter


class RussianCommand(click.Command):
    context_class = RussianContext

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "Показать эту справку и выйти."
        return option


class RussianGroup(RussianCommand, click.Group):
    command_class = RussianCommand

    def invoke(self, ctx: click.Context):
        """Run the command; an error nobody foresaw is one Russian line and a log file."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            from sync import crashlog

            command = f"{ctx.command_path} {ctx.invoked_subcommand or ''}".strip()
            path = crashlog.write(exc, command)
            raise Failure(crashlog.MSG_UNEXPECTED.format(kind=type(exc).__name__, path=path)) from None


def _usage_text(exc: click.UsageError) -> str:
    """click's usage errors in Russian (the common ones; the rest as click words them)."""
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        return f"не указан {_russian(exc.param.human_readable_name)}"
    if isinstance(exc, click.NoSuchOption):
        return f"нет параметра {exc.option_name}"
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        kind = exc.param.type
        if isinstance(kind, click.IntRange):
            return f"{exc.param.human_readable_name}: нужно целое от {kind.min} до {kind.max}"
        message = re.sub(r"'(.*)' is not a valid (integer|float)\.?", r"«\1» — не число", exc.message)
        message = re.sub(r"'(.*)' is not one of (.*)\.", r"«\1» — нужно одно из: \2", message)
        return f"неверное значение {_russian(exc.param.human_readable_name)}: {_russian(message)}"
    if exc.message.startswith("No such command"):
        return "нет такой команды"
    needs = re.match(r"Option '(.+)' requires (an argument|\d+ arguments)", exc.message)
    if needs:
        return f"после {needs.group(1)} нужно значение"
    if exc.message.startswith("Got unexpected extra argument"):
        return "лишний аргумент: " + exc.message.split("(", 1)[-1].rstrip(")")
    if exc.message.startswith("Missing argument"):
        return "не указан аргумент " + _russian(exc.message.split("'")[1] if "'" in exc.message else "")
    return exc.format_message()
