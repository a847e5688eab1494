"""The public web section «Наставничество»: static, self-contained HTML + CSS for the site.

``content`` picks what may be public from the registries (the roadmap's status, best cases,
the long-term mentor registry, aggregate figures, the curator's contacts, the forms' links) —
only what a publication consent covers; ``privacy`` scans text for personal data (a case that
names a person is held back, a page that would carry any is never written); ``pages`` renders
Russian, semantic HTML with one stylesheet (``style.css``): no JavaScript, no external requests,
readable on a phone and in print; ``build`` writes the files that changed.

May import: ``sheets.schema``, ``forms.questionnaires`` (the forms' titles), ``forms.answers``,
``sync.config``, ``sync.registry``, ``sync.publication``, ``sync.derive``, ``sync.progress``,
``sync.ingest`` (the run's context). Never a store or a Google client: the registries come in.
"""
