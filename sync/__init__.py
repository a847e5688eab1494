"""The programme: config, the sync job, matching, roadmap rules, documents and the CLI."""
