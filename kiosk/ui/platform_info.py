"""Versions only the running window knows: SDL, its video driver, the OpenGL renderer.

Asked once, on the UI thread (OpenGL answers only where its context is current),
and kept: they do not change while the terminal runs.  A GPU driver that fell
back to software rendering ("llvmpipe") is a frequent cause of a slow screen.
"""

from __future__ import annotations

import ctypes
import functools


class _SDLVersion(ctypes.Structure):
    _fields_ = [("major", ctypes.c_uint8), ("minor", ctypes.c_uint8), ("patch", ctypes.c_uint8)]


def _sdl() -> tuple[str, str]:
    """SDL's version and video driver, from the library Kivy loaded into this process."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = sorted({line.split()[-1] for line in maps if "libSDL2-2" in line})
        if not paths:
            return "not loaded", ""
        lib = ctypes.CDLL(paths[0])
        version = _SDLVersion()
        lib.SDL_GetVersion(ctypes.byref(version))
        lib.SDL_GetCurrentVideoDriver.restype = ctypes.c_char_p
        driver = (lib.SDL_GetCurrentVideoDriver() or b"").decode(errors="replace")
        return f"{version.major}.{version.minor}.{version.patch}", driver
    except (OSError, AttributeError, ValueError):
        return "unknown", ""


@functools.cache
def graphics_versions() -> tuple[tuple[str, str], ...]:
    """(name, value) pairs for the admin screen; call on the UI thread."""
    from kivy.graphics.opengl import GL_RENDERER, GL_VERSION, glGetString

    def gl(name: int) -> str:
        try:
            value = glGetString(name)
        except Exception:  # noqa: BLE001 - no context: say unknown, never fail the screen
            return "unknown"
        return value.decode(errors="replace") if isinstance(value, bytes) else str(value)

    sdl, driver = _sdl()
    return (
        ("SDL", f"{sdl} ({driver})" if driver else sdl),
        ("OpenGL", f"{gl(GL_RENDERER)} · {gl(GL_VERSION)}"),
    )
