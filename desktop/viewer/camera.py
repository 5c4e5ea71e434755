"""The viewer's orbit camera: a target point, a distance, an azimuth and an elevation, with Z up as on a
printer. Plain numpy, so the maths is tested without Qt.

Angles match the CPU thumbnails (core.render.thumbnail): at azimuth 0 the camera looks at the model from the
front (from -Y towards +Y); the default view is the thumbnails' 3/4 view, -35° around and 30° above. Matrices
are row-major 4x4 float64 arrays in the OpenGL convention (the camera looks down its -z axis).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

DEFAULT_AZIMUTH_DEG = -35.0
DEFAULT_ELEVATION_DEG = 30.0
FIELD_OF_VIEW_DEG = 30.0  # vertical; narrow, so the perspective flatters a small object
FIT_MARGIN = 0.08  # of the view, on each side, when framing the model
MAX_ELEVATION_DEG = 89.0
ORBIT_DEG_PER_PIXEL = 0.4
ZOOM_PER_STEP = 0.85  # distance factor of one wheel notch towards the model
MIN_DISTANCE, MAX_DISTANCE = 0.02, 50.0  # in multiples of the model's radius

Matrix = npt.NDArray[np.float64]
Vector = npt.NDArray[np.float64]


@dataclass
class OrbitCamera:
    """Where the viewer looks from. `target` is in the viewer's coordinates (mm from the model's centre)."""

    target: Vector = field(default_factory=lambda: np.zeros(3))
    distance: float = 100.0
    azimuth_deg: float = DEFAULT_AZIMUTH_DEG
    elevation_deg: float = DEFAULT_ELEVATION_DEG
    field_of_view_deg: float = FIELD_OF_VIEW_DEG
    model_radius: float = 1.0  # limits zoom and sets the clipping planes

    # ------------------------------------------------------------------ axes

    def backward(self) -> Vector:
        """The unit vector from the target towards the camera."""
        a, e = math.radians(self.azimuth_deg), math.radians(self.elevation_deg)
        return np.array([math.sin(a) * math.cos(e), -math.cos(a) * math.cos(e), math.sin(e)])

    def right(self) -> Vector:
        a = math.radians(self.azimuth_deg)
        return np.array([math.cos(a), math.sin(a), 0.0])

    def up(self) -> Vector:
        return np.cross(self.backward(), self.right())

    def eye(self) -> Vector:
        return np.asarray(self.target + self.distance * self.backward(), dtype=np.float64)

    # -------------------------------------------------------------- matrices

    def view_matrix(self) -> Matrix:
        right, up, back = self.right(), self.up(), self.backward()
        eye = self.eye()
        view = np.eye(4)
        view[0, :3], view[1, :3], view[2, :3] = right, up, back
        view[:3, 3] = -view[:3, :3] @ eye
        return view

    def clip_planes(self) -> tuple[float, float]:
        """Near and far, hugging the scene (the model and its grid, within about 2.5 radii of the centre)."""
        scene = 2.5 * self.model_radius
        from_centre = float(np.linalg.norm(self.eye()))
        far = from_centre + scene
        near = max(from_centre - scene, far * 1e-4)
        return near, far

    def projection_matrix(self, aspect: float) -> Matrix:
        near, far = self.clip_planes()
        f = 1.0 / math.tan(math.radians(self.field_of_view_deg) / 2)
        projection = np.zeros((4, 4))
        projection[0, 0] = f / max(aspect, 1e-6)
        projection[1, 1] = f
        projection[2, 2] = (far + near) / (near - far)
        projection[2, 3] = 2 * far * near / (near - far)
        projection[3, 2] = -1.0
        return projection

    def half_tangents(self, aspect: float) -> tuple[float, float]:
        """tan of half the horizontal and vertical field of view."""
        vertical = math.tan(math.radians(self.field_of_view_deg) / 2)
        return vertical * aspect, vertical

    # ------------------------------------------------------------- movements

    def orbit(self, dx_pixels: float, dy_pixels: float) -> None:
        """Turn around the target: dragging right turns the model to the right, dragging down tips its top
        towards the viewer."""
        self.azimuth_deg = (self.azimuth_deg - dx_pixels * ORBIT_DEG_PER_PIXEL + 180.0) % 360.0 - 180.0
        elevation = self.elevation_deg + dy_pixels * ORBIT_DEG_PER_PIXEL
        self.elevation_deg = max(-MAX_ELEVATION_DEG, min(MAX_ELEVATION_DEG, elevation))

    def pan(self, dx_pixels: float, dy_pixels: float, view_height: int) -> None:
        """Slide the target so that the model follows the cursor."""
        _, tan_y = self.half_tangents(1.0)
        per_pixel = 2 * self.distance * tan_y / max(view_height, 1)
        self.target = self.target - self.right() * dx_pixels * per_pixel + self.up() * dy_pixels * per_pixel

    def zoom(self, steps: float, ndc_x: float = 0.0, ndc_y: float = 0.0, aspect: float = 1.0) -> None:
        """Move `steps` wheel notches closer (negative: away), keeping the point under the cursor (given in
        normalised device coordinates, -1..1 with y up) where it is on the screen."""
        factor = ZOOM_PER_STEP**steps
        low, high = MIN_DISTANCE * self.model_radius, MAX_DISTANCE * self.model_radius
        factor = max(low, min(high, self.distance * factor)) / self.distance
        tan_x, tan_y = self.half_tangents(aspect)
        under_cursor = (self.right() * ndc_x * tan_x + self.up() * ndc_y * tan_y) * self.distance
        self.target = self.target + under_cursor * (1 - factor)
        self.distance *= factor

    def fit(self, size: tuple[float, float, float], aspect: float) -> None:
        """Frame the model's bounding box (of `size`, centred on the origin), keeping the direction of view:
        come just close enough to see all of its corners, with the box's picture centred in the view."""
        self.model_radius = max(math.hypot(*size) / 2, 1e-9)
        half = np.array(size, dtype=np.float64) / 2
        corners = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)]) * half
        tan_x, tan_y = self.half_tangents(aspect)
        self.target = np.zeros(3)
        for _ in range(2):
            # In perspective the near side looks bigger, so the box's middle at the centre of the view leaves
            # its picture off centre: move the target by the picture's offset, and fit again.
            self._fit_distance(corners, tan_x, tan_y)
            offsets = corners - self.target
            depth = self.distance - offsets @ self.backward()
            x = offsets @ self.right() / (depth * tan_x)
            y = offsets @ self.up() / (depth * tan_y)
            shift = (
                self.right() * (x.min() + x.max()) / 2 * tan_x + self.up() * (y.min() + y.max()) / 2 * tan_y
            )
            self.target = self.target + shift * self.distance
        self._fit_distance(corners, tan_x, tan_y)

    def _fit_distance(self, corners: Matrix, tan_x: float, tan_y: float) -> None:
        """The least distance from the target at which every corner is inside the view, with the margin."""
        usable = 1 - 2 * FIT_MARGIN
        offsets = corners - self.target
        # A corner x across the view and `towards` the camera from the target is inside the view when the
        # camera stands at least |x| / tan + towards from the target (and likewise upwards).
        across = np.abs(offsets @ self.right()) / (tan_x * usable)
        upward = np.abs(offsets @ self.up()) / (tan_y * usable)
        needed = np.maximum(across, upward) + offsets @ self.backward()
        self.distance = max(float(needed.max()), MIN_DISTANCE * self.model_radius)

    def reset(self, size: tuple[float, float, float], aspect: float) -> None:
        """The default 3/4 view, fitted."""
        self.azimuth_deg = DEFAULT_AZIMUTH_DEG
        self.elevation_deg = DEFAULT_ELEVATION_DEG
        self.fit(size, aspect)
