"""The demo: a made-up company with workers, badges, messages and pictures, and what
``kiosk demo`` sets up before the screen opens (including the in-process server).
"""
