"""Participants' side: questionnaires as data, response sources, answers parsed to rows."""
