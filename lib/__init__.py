"""Strefa's lower library: rules shared by every app (calendar, identifiers, files).

Nothing here imports a Strefa app; apps import from here.
"""
