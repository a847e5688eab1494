"""Documents: letters, development plans (ИПР), memos and reports, in correct Russian.

Names in the case a sentence needs and salutations by gender, dates and numbers in words,
.docx templates with placeholders, charts as images; one renderer, two sinks (``out/`` locally,
Google Docs through the Google backend's one transport). Every document is recorded by key in
«Документы», so nothing is made twice and a consent withdrawal can find a person's documents.

May import: ``sheets.schema``, ``sync.config``, ``sync.clock``, ``sync.registry``, ``sync.publication``
(which cases a report may show), ``sync.google.transport`` (its errors, in the Google sink), the
template and inflection libraries; never ``forms`` or a store directly (it is handed the data and a sink).
"""
