"""Antre kiosk: the applicant's journey (flow), its Kivy shell and its link to the server."""
