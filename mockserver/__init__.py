"""Offline emulation of the Madaster API (Flask app factory in mockserver.app)."""
