"""Widgets the screens share: buttons and cards, the keyboard, icons, pictures, the
sketch canvas, the camera feed, the status line and the admin screen's touch pad.
"""
