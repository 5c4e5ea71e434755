"""Draw Printstall's app icon (a spool of orange filament on a rounded square) in the sizes installers use.

    .venv/bin/python installers/make_icons.py

Writes installers/icons/: printstall-<size>.png (16 to 1024), printstall.ico (Windows) and printstall.icns
(macOS). Pillow only, drawn from shapes (no font), so the result is the same on every machine. The files are
kept in the repository; run this again only after changing the drawing.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
CANVAS = 1024
SUPERSAMPLE = 2

BACKGROUND = (43, 47, 54, 255)  # dark slate
FLANGE = (214, 218, 224, 255)  # the spool's light grey sides
FILAMENT = (242, 140, 40, 255)  # the app's orange, #F28C28
WINDING = (205, 110, 25, 255)  # darker turns of filament
HUB = (120, 126, 136, 255)


def circle(draw: ImageDraw.ImageDraw, centre: float, radius: float, fill: tuple[int, ...]) -> None:
    draw.ellipse((centre - radius, centre - radius, centre + radius, centre + radius), fill=fill)


def draw_icon() -> Image.Image:
    """The icon at CANVAS x CANVAS pixels, transparent around the rounded square."""
    size = CANVAS * SUPERSAMPLE
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    unit = size / 1024
    margin = 64 * unit
    draw.rounded_rectangle((margin, margin, size - margin, size - margin), radius=180 * unit, fill=BACKGROUND)
    c = size / 2
    circle(draw, c, 380 * unit, FLANGE)
    circle(draw, c, 330 * unit, FILAMENT)
    for radius in (300, 255, 210):  # a few turns of filament, drawn as darker rings
        draw.ellipse(
            (c - radius * unit, c - radius * unit, c + radius * unit, c + radius * unit),
            outline=WINDING,
            width=round(10 * unit),
        )
    circle(draw, c, 165 * unit, FLANGE)
    circle(draw, c, 120 * unit, HUB)
    circle(draw, c, 62 * unit, BACKGROUND)
    return image.resize((CANVAS, CANVAS), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    icon = draw_icon()
    for px in PNG_SIZES:
        icon.resize((px, px), Image.Resampling.LANCZOS).save(ICONS / f"printstall-{px}.png", optimize=True)
    icon.save(ICONS / "printstall.ico", sizes=[(px, px) for px in ICO_SIZES])
    icon.save(ICONS / "printstall.icns")
    print(f"wrote {len(PNG_SIZES)} PNGs, printstall.ico and printstall.icns to {ICONS}")


if __name__ == "__main__":
    main()
