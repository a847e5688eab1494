"""«Сводка», the dashboard sheet: key figures over job-owned rows and native charts over them.

``layout`` says which rows and charts there are (from the schema's vocabulary, the roadmap's
stages and the programme's cycle); ``figures`` computes the numbers from the registries, pure;
``step`` is the job's step (write the figures into the working registries) and the one-time
install at ``init`` (rows, then charts). Charts are made once; a run only refreshes figures.

May import: ``sheets.schema``, ``sheets.charts``, ``sheets.changes``, ``sync.config``,
``sync.registry``, ``sync.roadmap`` (the stages), ``sync.clock``. Nothing here talks to Google or opens a file:
stores are passed in.
"""
