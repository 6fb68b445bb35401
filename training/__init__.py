"""Mandatory human trafficking training for Mississippi law enforcement."""
