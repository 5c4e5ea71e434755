"""The 3D viewer with a million triangles: preparing and uploading the mesh, and frames per second.

OpenGL needs a display: on Linux without one the benchmark runs itself again under `xvfb-run -a` with the
xcb platform (Mesa's llvmpipe there: software rendering, a floor for real GPUs). Frames are counted by the
view's `frameSwapped` while it is turned a little every frame, in a shown 800x600 window: the whole path a
user sees, composition included. On a slow renderer the viewer draws a simplified copy of the mesh at a
lower resolution while it moves and the full mesh when it stops (desktop/viewer/gl_view.py); both are
reported. Preparing a mesh runs on a worker thread; the longest time the event loop went without turning
meanwhile is reported too (what a user would feel as a frozen window).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from bench.common import Result

if TYPE_CHECKING:
    from desktop.viewer.gl_view import MeshView
    from desktop.viewer.widget import ModelViewer

TRIANGLES = 1_000_000
WIDTH, HEIGHT = 800, 600
WARM_UP_S = 0.5  # not counted: the renderer compiles its shader variants in the first frames
MEASURE_S = 3.0
TARGET_FPS = 20.0
CHILD_FLAG = "--viewer-child"


def benchmarks() -> list[Result]:
    headless = not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
    if sys.platform.startswith("linux") and headless:
        return _in_xvfb()
    return _results(_measure())


def _in_xvfb() -> list[Result]:
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None:
        return [Result("3D viewer (needs a display or xvfb-run)", "skipped")]
    screen = f"-screen 0 {WIDTH + 200}x{HEIGHT + 200}x24 -nolisten tcp"
    command = [xvfb_run, "-a", "-s", screen, sys.executable, "-m", "bench.bench_viewer", CHILD_FLAG]
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return [Result(f"3D viewer under xvfb-run failed: {tail[0][:60]}", "error", "runs", False)]
    return _results(json.loads(lines[-1]))


def _measure() -> dict[str, object]:
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    from PySide6.QtWidgets import QApplication

    from bench.bench_mesh import torus
    from desktop.viewer import ModelViewer
    from desktop.viewer.geometry import build_geometry, with_smooth_normals
    from desktop.viewer.gl_view import MeshView

    app = QApplication.instance() or QApplication([])
    vertices, faces = torus(TRIANGLES)
    triangles = vertices[faces].astype("float32")
    viewer = ModelViewer()
    viewer.resize(WIDTH, HEIGHT)
    viewer.show()
    for _ in range(20):
        app.processEvents()
    out: dict[str, object] = {"triangles": len(triangles), "opengl": viewer.uses_opengl}
    view = viewer.findChild(MeshView)
    if not viewer.uses_opengl or view is None:
        out["reason"] = viewer.fallback_reason
        return out
    viewer.render_image()  # the context is made and initialised now
    out["gl"] = viewer.gl_version

    start = time.perf_counter()
    geometry = build_geometry(triangles)
    out["prepare_s"] = time.perf_counter() - start
    start = time.perf_counter()
    with_smooth_normals(geometry, triangles)
    out["smooth_normals_s"] = time.perf_counter() - start

    start = time.perf_counter()
    out["open_stall_s"] = _longest_stall(lambda: viewer.set_mesh(triangles), lambda: view.status == "")
    viewer.render_image()  # the first frame with the model, drawn and read back: the upload has finished
    out["open_s"] = time.perf_counter() - start
    _longest_stall(lambda: None, lambda: not viewer.preparing)  # the simplified copy

    for smooth in (False, True):
        name = "smooth" if smooth else "flat"
        stall = _longest_stall(lambda smooth=smooth: viewer.set_smooth(smooth), lambda: not viewer.preparing)
        if smooth:
            out["smooth_stall_s"] = stall
        out[f"{name}_still_s"] = _still_frame(view)
        out[f"{name}_fps"] = _frames_per_second(viewer, view)
        out[f"{name}_moving_triangles"] = view.last_frame.get("triangles")
        out[f"{name}_moving_scale"] = view.last_frame.get("scale")
    out["full_fps"] = _full_frames_per_second(view)
    viewer.close()
    return out


def _longest_stall(start: Callable[[], object], done: Callable[[], bool]) -> float:
    """Call `start()`, run the event loop until `done()`, and return the longest time it went without
    turning (the call itself included): how long the window would have stopped answering."""
    from PySide6.QtCore import QCoreApplication

    longest, last = 0.0, time.perf_counter()
    start()
    deadline = last + 120
    while not done() and time.perf_counter() < deadline:
        QCoreApplication.processEvents()
        longest = max(longest, time.perf_counter() - last)
        time.sleep(0.002)  # the event loop waiting for events: not a stall
        last = time.perf_counter()
    return max(longest, time.perf_counter() - last)


def _still_frame(view: MeshView) -> float:
    """Seconds of a full-quality frame (the view is still), once the renderer's speed is known."""
    _wait_until_still(view)
    costs = []
    for _ in range(3):
        view.grabFramebuffer()
        costs.append(float(view.last_frame["seconds"]))  # type: ignore[arg-type]
    return min(costs)


def _wait_until_still(view: MeshView) -> None:
    from PySide6.QtCore import QCoreApplication

    deadline = time.perf_counter() + 5
    while view.moving and time.perf_counter() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.01)


def _frames_per_second(viewer: ModelViewer, view: MeshView) -> float:
    """Frames per second while the model turns, as a user dragging it sees them."""
    from PySide6.QtCore import QEventLoop, QTimer

    frames: list[float] = []
    loop = QEventLoop()
    started = time.perf_counter()

    def next_frame() -> None:
        now = time.perf_counter()
        if now - started >= WARM_UP_S:
            frames.append(now)
        if frames and frames[-1] - frames[0] >= MEASURE_S:
            loop.quit()
            return
        viewer.orbit(2.0, 0.0)

    view.frameSwapped.connect(next_frame)
    viewer.orbit(2.0, 0.0)
    QTimer.singleShot(
        int((WARM_UP_S + MEASURE_S) * 1000) + 30_000, loop.quit
    )  # never hang on a stuck display
    loop.exec()
    view.frameSwapped.disconnect(next_frame)
    if len(frames) < 3:
        return 0.0
    return (len(frames) - 1) / (frames[-1] - frames[0])


def _full_frames_per_second(view: MeshView) -> float:
    """Frames per second drawing the whole mesh at full resolution every frame, without multisampling: what
    moving frames would cost without the simplified copy and the lower resolution (paint and finish only, no
    composition). Each frame is drawn as a still one."""
    _wait_until_still(view)
    view.makeCurrent()
    saved, view._msaa_ok = view._msaa_ok, False
    try:
        context = view.context()
        assert context is not None
        gl = context.functions()
        frames, started = 0, time.perf_counter()
        while time.perf_counter() - started < MEASURE_S:
            view.camera.orbit(2.0, 0.0)  # the camera only: the view does not count as moving
            view.paintGL()
            gl.glFinish()
            frames += 1
        return frames / (time.perf_counter() - started)
    finally:
        view._msaa_ok = saved
        view.doneCurrent()


def _results(figures: dict[str, object]) -> list[Result]:
    count = int(str(figures.get("triangles", TRIANGLES)))
    tris = f"{count / 1e6:.1f}M triangles"
    if not figures.get("opengl"):
        return [Result(f"3D viewer: no OpenGL ({figures.get('reason', '')})"[:58], "skipped")]

    def seconds(key: str) -> str:
        return f"{float(str(figures[key])):.2f} s"

    results = [
        Result(f"viewer: open {tris} until the model is drawn", seconds("open_s")),
        Result("  (of which preparing the vertices, on the worker)", seconds("prepare_s")),
        Result("  (longest the event loop waited meanwhile)", seconds("open_stall_s")),
        Result(f"viewer: smooth normals of {tris} (on the worker)", seconds("smooth_normals_s")),
        Result("  (longest the event loop waited meanwhile)", seconds("smooth_stall_s")),
    ]
    for name in ("flat", "smooth"):
        fps = float(str(figures[f"{name}_fps"]))
        drawn = int(str(figures.get(f"{name}_moving_triangles") or 0))
        scale = float(str(figures.get(f"{name}_moving_scale") or 1.0))
        results += [
            Result(
                f"viewer: fps turning {tris}, {WIDTH}x{HEIGHT}, {name}",
                f"{fps:.1f} fps",
                f">= {TARGET_FPS:g} fps",
                fps >= TARGET_FPS,
            ),
            Result(f"  (drawn as {drawn:,} triangles at {scale:.0%} resolution)", ""),
            Result(f"viewer: full-quality still frame, {name}", seconds(f"{name}_still_s")),
        ]
    full = float(str(figures["full_fps"]))
    results += [
        Result(f"viewer: fps drawing all {tris} every frame", f"{full:.1f} fps"),
        Result(f"  (OpenGL {figures.get('gl', '')})"[:58], ""),
    ]
    return results


if __name__ == "__main__":
    if CHILD_FLAG in sys.argv:
        print(json.dumps(_measure()))
    else:
        for result in benchmarks():
            print(result.line())
