"""How the screens are put together: Kivy's start-up, the app, the shell that starts
the runtime's threads after the first frame, and the router between screens.
"""
