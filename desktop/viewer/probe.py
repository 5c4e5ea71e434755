"""Whether this process can draw the viewer with OpenGL, decided once before any QOpenGLWidget is made.

A QOpenGLWidget that cannot get a context only logs a warning and stays blank, so the viewer asks first: the
Qt platform must be one with OpenGL (not `offscreen` or `minimal`), and a context of the viewer's format
(OpenGL 3.3 core, not OpenGL ES) must be created and made current on an offscreen surface.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QGuiApplication, QOffscreenSurface, QOpenGLContext, QSurfaceFormat

NO_OPENGL_PLATFORMS = {"offscreen", "minimal", "minimalegl", "vnc", "linuxfb"}
GL_VERSION, GL_RENDERER = 0x1F02, 0x1F01
REQUIRED = (3, 3)


@dataclass(frozen=True)
class OpenGLSupport:
    available: bool
    reason: str  # why not, or what was found ("4.5 (Core Profile) Mesa ...")


_cached: OpenGLSupport | None = None


def surface_format(samples: int = 4) -> QSurfaceFormat:
    """The format the viewer asks for: OpenGL 3.3 core with a depth buffer and multisampling."""
    fmt = QSurfaceFormat()
    fmt.setRenderableType(QSurfaceFormat.RenderableType.OpenGL)
    fmt.setVersion(*REQUIRED)
    fmt.setProfile(QSurfaceFormat.OpenGLContextProfile.CoreProfile)
    fmt.setDepthBufferSize(24)
    fmt.setSamples(samples)
    return fmt


def opengl_support() -> OpenGLSupport:
    """Checked once per process (the answer does not change while it runs)."""
    global _cached
    if _cached is None:
        _cached = _probe()
    return _cached


def _probe() -> OpenGLSupport:
    app = QGuiApplication.instance()
    if app is None:
        return OpenGLSupport(False, "no Qt application")
    platform = QGuiApplication.platformName()
    if platform in NO_OPENGL_PLATFORMS:
        return OpenGLSupport(False, f"the {platform!r} Qt platform has no OpenGL")
    context = QOpenGLContext()
    context.setFormat(surface_format())
    if not context.create():
        return OpenGLSupport(False, "no OpenGL context could be created")
    if context.isOpenGLES():
        return OpenGLSupport(False, "only OpenGL ES is available")
    got = context.format()
    if (got.majorVersion(), got.minorVersion()) < REQUIRED:
        return OpenGLSupport(
            False, f"OpenGL {got.majorVersion()}.{got.minorVersion()} is too old (3.3 needed)"
        )
    surface = QOffscreenSurface()
    surface.setFormat(got)
    surface.create()
    try:
        if not surface.isValid() or not context.makeCurrent(surface):
            return OpenGLSupport(False, "the OpenGL context cannot be made current")
        functions = context.functions()
        found = f"{functions.glGetString(GL_VERSION)} {functions.glGetString(GL_RENDERER)}"
        context.doneCurrent()
    finally:
        surface.destroy()
    return OpenGLSupport(True, found)
