"""The programme: the job and its wiring, with one package per area.

- the job: ``cli`` (thin click commands), ``config``, ``clock`` (the one "now"), ``bootstrap``
  (picks the backend; ``backend`` is what it returns), ``job`` (lock, plan, write), ``registry``
  (the registries as rows, the plan's changes);
- its steps, flat: ``ingest`` (form answers -> registries), ``derive`` (consents, links,
  statuses), ``pairing`` (proposals in «Пары»), ``progress`` (stages and the roadmap sheet);
- ``matching/`` pure algorithms over plain data; ``roadmap/`` the roadmap as data and its rules;
  ``documents/`` letters, plans and reports; ``google/`` the Google backend;
- commands' own modules: ``demo``, ``doctor``, ``status``.

``sync`` may import ``forms`` and ``sheets``; they never import ``sync`` (tests/test_layout.py).
"""
