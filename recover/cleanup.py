"""Page clean-up before grid finding: even out the paper, lift red seals off the text, turn
the page upright, straighten a small skew and undo the perspective of a photographed page.

Everything downstream (grids, cell bboxes in the report) works in the pixels of the cleaned
image; `CleanedPage.to_cleaned` maps a point of the page as read into those pixels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import cv2
import numpy as np

# An optional judge of which way up a page is (an OCR engine's mean confidence, say): given a
# grey page, higher means more likely upright. Used to choose between a page and its half turn.
UprightScore = Callable[[np.ndarray], float]

WHITE = (255, 255, 255)
SIDEWAYS_VOTE = -1.0  # glyph and rule votes adding up below this turn a page (_quarter_turns)
TEXT_SKEW_RANGE = 5.0  # degrees either way a page without rules is tried at
SKEW_WORK_SIDE = 1000  # pixels: the longer side of the copy turn and skew are measured on
TEXT_SKEW_MIN = 0.3  # degrees: a smaller skew text shows too loosely to undo
RULE_TILT = 10  # degrees off an axis a long line may be to count as a rule
SKEW_RULE_LENGTH = 4  # page sides of long rules a page needs for its skew to come of them
QUAD_MIN_CORNER_ERROR = 0.3  # degrees: a table outline squarer than this is left alone

# Grey seals (a red seal scanned in grey) are looked for on a copy shrunk by a whole step
# to a shorter side of at least SEAL_WORK_SIDE pixels: there an official seal's solid star
# holds an inked disc wider than SEAL_STAR_CORE pixels, which no stroke of text or rule does.
SEAL_WORK_SIDE = 800
SEAL_STAR_CORE = 9
SEAL_MIN_CORE_AREA = 12  # working pixels of a star's core left after the erosion
SEAL_CANDIDATES = 12  # largest cores tried as a seal's middle
SEAL_INKED = 215  # grey level below which a pixel holds some ink
SEAL_GREY = (85, 205)  # levels of seal ink in a grey scan: lighter than black type
SEAL_RING_COVER = 0.85  # share of directions in which the ring is seen...
SEAL_RING_CONTRAST = 0.5  # ...against at most this share of it a little inside and outside
SEAL_MIN_RING = 15  # working pixels: a smaller ring is a character's loop
SEAL_SHADE_MARGIN = 20  # grey levels either side of the seal's own that count as its ink
SEAL_STROKE_SHARE = 6  # a seal's strokes are at least its ring's width over this
SEAL_RIM = 2  # pixels of lighter rim around a seal's strokes that go with them, at least
SEAL_RULE_LENGTH = 1.2  # of the ring's radius: a straight run of ink this long is a rule
SEAL_STAR_REACH = 0.45  # of the ring's radius: how far the star reaches from the middle


@dataclass(frozen=True, eq=False)
class CleanedPage:
    """A page ready for grid finding.

    `quarter_turns` is how many clockwise quarter turns made it upright, `skew_degrees` the
    small rotation then removed (counter-clockwise positive), `perspective` whether a
    photographed table's quadrilateral was warped to a rectangle, `seal_pixels` how many seal
    pixels (red, or grey in a grey scan) were lifted. `to_cleaned` (3x3) maps page-as-read
    pixels to cleaned pixels.
    """

    image: np.ndarray  # BGR uint8
    gray: np.ndarray  # uint8, same size as `image` (of `grid_image`)
    quarter_turns: int
    skew_degrees: float
    perspective: bool
    seal_pixels: int
    to_cleaned: np.ndarray
    grid_image: np.ndarray  # BGR: `image` with scan grain smoothed, for finding rules

    def map_point(self, x: float, y: float) -> tuple[float, float]:
        """Where a point of the page as read lies in the cleaned image."""
        u, v, w = self.to_cleaned @ np.array([x, y, 1.0])
        return u / w, v / w


def clean_page(image: np.ndarray, *, upright_score: UprightScore | None = None,
               turn: int | None = None) -> CleanedPage:
    """Clean one page image (grey or BGR uint8) for grid finding and reading.

    Grain is smoothed only in `grid_image`, where rules are looked for: smoothing wears
    away the thin strokes of light type, so cells are read from `image`. `turn` is how many
    more clockwise quarter turns the page takes once cleaned (when its text says which way
    up it is); None leaves only the half turn to `upright_score`, or failing that to the
    layout.
    """
    bgr = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image
    bgr = normalize_background(bgr)
    bgr, seal_pixels = remove_red_seals(bgr)
    bgr, grey_seal_pixels = remove_grey_seals(bgr)
    seal_pixels += grey_seal_pixels
    smooth = smooth_grain(bgr)
    gray = cv2.cvtColor(smooth, cv2.COLOR_BGR2GRAY)

    def warp_both(matrix: np.ndarray) -> None:
        nonlocal bgr, smooth, gray
        grainy = smooth is not bgr
        bgr = _warp(bgr, matrix)
        smooth = _warp(smooth, matrix) if grainy else bgr
        gray = cv2.cvtColor(smooth, cv2.COLOR_BGR2GRAY)

    small_ink = _shrunk_ink(gray)
    lines = _long_lines(small_ink)
    turns = _quarter_turns(gray, lines)
    skew = _page_skew(small_ink, lines, turns)
    transform = _turn_and_deskew(gray.shape, turns, skew)
    if turns or skew:
        warp_both(transform)
    quad = _table_quadrilateral(gray)
    if quad is not None:
        warp = _rectify(quad)
        warp_both(warp)
        transform = warp @ transform
    page = CleanedPage(bgr, gray, turns, skew, quad is not None, seal_pixels, transform,
                       smooth)
    if turn is None:
        turn = 2 if _should_half_turn(gray, upright_score) else 0
    return turned(page, turn)


_ROTATIONS = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}


def turned(page: CleanedPage, turns: int) -> CleanedPage:
    """The cleaned page turned by `turns` clockwise quarter turns."""
    turns %= 4
    if not turns:
        return page
    rotation = _ROTATIONS[turns]
    grainy = page.grid_image is not page.image
    image = cv2.rotate(page.image, rotation)
    grid_image = cv2.rotate(page.grid_image, rotation) if grainy else image
    turn = _turn_and_deskew(page.gray.shape, turns, 0.0)
    return replace(page, image=image, gray=cv2.rotate(page.gray, rotation),
                   quarter_turns=(page.quarter_turns + turns) % 4,
                   to_cleaned=turn @ page.to_cleaned, grid_image=grid_image)


def looks_upside_down(gray: np.ndarray) -> bool:
    """Whether the layout of a cleaned page says it is upside down (see _should_half_turn)."""
    return _should_half_turn(gray, None)


def normalize_background(bgr: np.ndarray) -> np.ndarray:
    """Divide out the paper's shading (uneven light, yellowed scans), so paper is white.

    The paper's colour is a wide maximum filter over a shrunken page, wide enough to
    see past any stroke or rule.
    """
    height, width = bgr.shape[:2]
    factor = 4 if min(height, width) >= 400 else 1
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(
        gray, (max(1, width // factor), max(1, height // factor)), interpolation=cv2.INTER_AREA
    )
    reach = max(5, (min(height, width) // 60 // factor) | 1)
    paper = cv2.dilate(small, np.ones((reach, reach), np.uint8))
    paper = cv2.blur(paper, (reach, reach))
    paper = cv2.resize(paper, (width, height), interpolation=cv2.INTER_LINEAR)
    paper = cv2.cvtColor(np.maximum(paper, 1), cv2.COLOR_GRAY2BGR)
    return cv2.divide(bgr, paper, scale=255)


def grain_sigma(gray: np.ndarray) -> float:
    """The standard deviation of pixel noise (scanner grain), from neighbouring pixels' median
    difference: paper is most of a page, and clean paper has no difference at all."""
    rows = gray[::2].astype(np.int16)
    return float(np.median(np.abs(np.diff(rows, axis=1)))) / 0.954


def smooth_grain(bgr: np.ndarray) -> np.ndarray:
    """Smooth away grain strong enough to fleck the paper with dark specks (which the grid
    finder would take for bits of rule); a clean page is left as it is."""
    sigma = grain_sigma(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
    if sigma < 1.0:
        return bgr
    return cv2.GaussianBlur(bgr, (0, 0), min(1.5, 0.5 + sigma / 12))


def remove_red_seals(bgr: np.ndarray) -> tuple[np.ndarray, int]:
    """Paint red seal ink white, keeping dark strokes under it (a black stroke under a
    translucent seal stays dark, with little red left above its other channels)."""
    b, g, r = cv2.split(bgr)
    redness = cv2.subtract(r, cv2.max(g, b))  # saturates at 0
    seal = cv2.compare(redness, 35, cv2.CMP_GT) & cv2.compare(r, 110, cv2.CMP_GT)
    count = cv2.countNonZero(seal)
    if count == 0:
        return bgr, 0
    out = bgr.copy()
    out[seal > 0] = WHITE
    return out, count


@dataclass(frozen=True)
class GreySeal:
    """A seal found on a grey page, in page pixels: the middle of its ring, the ring's
    radius (to the middle of its band) and width, and the grey level of its ink."""

    x: float
    y: float
    radius: float
    ring_width: float
    level: float


def remove_grey_seals(bgr: np.ndarray) -> tuple[np.ndarray, int]:
    """Paint a grey seal's ring and star white, keeping what is darker than their ink (black
    type and rules under them) and the long rules crossing them.

    A red seal scanned in grey cannot be told by colour, and left alone its ring cuts the
    table's cells into spurious rows and columns and its star is read with a cell's text.
    """
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    seal = find_grey_seal(gray)
    if seal is None:
        return bgr, 0
    (x0, y0, x1, y1), ink = grey_seal_ink(gray, seal)
    out = bgr.copy()
    out[y0:y1, x0:x1][ink > 0] = WHITE
    return out, cv2.countNonZero(ink)


def find_grey_seal(gray: np.ndarray) -> GreySeal | None:
    """The seal on a grey page, if any: a solid mid-grey star with a mid-grey ring around
    it, seen in nearly every direction from the star and hardly at all a little inside and
    outside the ring (a table's rules and text are seen in many directions at every radius).
    """
    step = max(1, min(gray.shape) // SEAL_WORK_SIDE)  # a whole step shrinks fast
    factor = 1 / step
    small = gray
    if step > 1:
        small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    seal_grey = cv2.inRange(small, *SEAL_GREY)
    for x, y in _star_cores(small):
        ring = _ring_around(seal_grey, x, y)
        if ring is None:
            continue
        radius, width = ring
        level = _ring_level(small, x, y, radius, width)
        return _sharpened(gray, GreySeal(x / factor, y / factor, radius / factor,
                                         width / factor, level))
    return None


def _star_cores(small: np.ndarray) -> list[tuple[float, float]]:
    """Middles of the solid mid-grey blobs of a working-size page (a seal's star is one),
    largest first."""
    inked = cv2.compare(small, SEAL_INKED, cv2.CMP_LE)
    core = cv2.erode(
        inked, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (SEAL_STAR_CORE, SEAL_STAR_CORE))
    )
    n, labels, stats, centres = cv2.connectedComponentsWithStats(core, connectivity=8)
    if n <= 1:
        return []
    areas = stats[:, cv2.CC_STAT_AREA]
    inside = np.flatnonzero(core)
    sums = np.bincount(labels.flat[inside], weights=small.flat[inside], minlength=n)
    means = sums / np.maximum(areas, 1)
    grey = (areas >= SEAL_MIN_CORE_AREA) & (means >= SEAL_GREY[0]) & (means <= SEAL_GREY[1])
    grey[0] = False
    order = [k for k in np.argsort(-areas) if grey[k]][:SEAL_CANDIDATES]
    return [(float(centres[k][0]), float(centres[k][1])) for k in order]


def _ring_around(seal_grey: np.ndarray, x: float, y: float) -> tuple[float, float] | None:
    """The radius and width of a ring of seal grey around (x, y), in working pixels, or
    None. Each radius is scored by the share of directions in which seal grey lies within a
    pixel of it (directions off the page left out); the ring is the best radius beyond the
    star, the star ending where that share drops below a half again."""
    reach = max(seal_grey.shape) // 4
    polar, on_page = _polar(seal_grey, (x, y), reach, (reach, 360))
    seen = (cv2.dilate(polar, np.ones((1, 3), np.uint8)) > 0) & on_page
    cover = seen.sum(axis=0) / np.maximum(1, on_page.sum(axis=0))
    # the star: from the first radius seen in half the directions (its very middle may be
    # paper) to the next one that is not
    star = np.flatnonzero(cover >= 0.5)
    sparse = np.flatnonzero(cover[star[0]:] < 0.5) if len(star) else star
    if len(sparse) == 0:
        return None
    start = int(star[0] + sparse[0])
    radius = start + int(np.argmax(cover[start:]))
    if radius < SEAL_MIN_RING or cover[radius] < SEAL_RING_COVER:
        return None
    inside = cover[max(start, int(radius * 0.8)) : max(start + 1, int(radius * 0.93))].min()
    outer = min(reach - 1, int(radius * 1.07) + 1)
    outside = cover[outer : max(outer + 1, int(radius * 1.2) + 1)].min()
    if max(inside, outside) > SEAL_RING_CONTRAST * cover[radius]:
        return None
    low, high = _run_around(cover >= 0.5 * cover[radius], radius, start)
    return (low + high) / 2, float(high - low + 1)


def _polar(image: np.ndarray, centre: tuple[float, float], reach: float,
           size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The image around `centre` out to `reach` in polar form (a column per radius, a row per
    direction, `size` = (radii, directions)), and where that lies on the page."""
    # off the image, warpPolar leaves whatever was in memory unless told to fill it (with 0)
    flags = cv2.INTER_NEAREST | cv2.WARP_POLAR_LINEAR | cv2.WARP_FILL_OUTLIERS
    polar = cv2.warpPolar(image, size, centre, reach, flags)
    on_page = cv2.warpPolar(np.full_like(image, 255), size, centre, reach, flags) > 0
    return polar, on_page


def _run_around(band: np.ndarray, i: int, floor: int) -> tuple[int, int]:
    """The first and last index of the run of True in `band` holding index i, not below
    `floor`."""
    low, high = i, i
    while low > floor and band[low - 1]:
        low -= 1
    while high < len(band) - 1 and band[high + 1]:
        high += 1
    return low, high


def _ring_level(small: np.ndarray, x: float, y: float, radius: float, width: float) -> float:
    """The grey of the seal's ink: the median seal-grey level along the middle of its ring."""
    reach = radius + width
    polar = cv2.warpPolar(small, (int(reach) + 1, 720), (x, y), reach,
                          cv2.INTER_LINEAR | cv2.WARP_POLAR_LINEAR | cv2.WARP_FILL_OUTLIERS)
    band = polar[:, int(radius - width / 4) : int(radius + width / 4) + 1]
    grey = band[(band >= SEAL_GREY[0]) & (band <= SEAL_GREY[1])]
    return float(np.median(grey)) if grey.size else float(np.mean(SEAL_GREY))


def _sharpened(gray: np.ndarray, seal: GreySeal) -> GreySeal:
    """The seal with its ring's radius and width measured on the page itself: at working
    size the ring looks wider than it is, and a wider band would take in more of the type
    it crosses. The ring is the run of radii around the rough one where, in at least half
    as many directions as at the best radius, the page is about the seal's grey."""
    reach = seal.radius + seal.ring_width
    x0, y0, x1, y1 = _clip_box(gray.shape, seal.x, seal.y, reach)
    crop = gray[y0:y1, x0:x1]
    polar, on_page = _polar(crop, (seal.x - x0, seal.y - y0), reach, (int(reach) + 1, 720))
    near = np.abs(polar.astype(np.int16) - int(seal.level)) <= SEAL_SHADE_MARGIN
    cover = (near & on_page).sum(axis=0) / np.maximum(1, on_page.sum(axis=0))
    low = max(0, int(seal.radius - seal.ring_width))
    best = low + int(np.argmax(cover[low:]))
    inner, outer = _run_around(cover >= 0.5 * cover[best], best, low)
    return replace(seal, radius=(inner + outer) / 2, ring_width=float(outer - inner + 1))


def grey_seal_ink(gray: np.ndarray, seal: GreySeal) -> tuple[tuple[int, ...], np.ndarray]:
    """The box (x0, y0, x1, y1) around the seal and, within it, its ring and star as a 255
    mask: broad strokes of about its grey or lighter, on the ring or in the middle, with
    their lighter rims.

    Black type and rules under the seal are darker and stay. Thin strokes of type that
    print as mid-grey (a serif face's hairlines) stay too, being narrower than the seal's
    strokes, and so do long straight runs of ink: rules crossing the seal, which may be
    printed grey. The lettering between star and ring is left: on a blurred scan it is no
    broader and no lighter than the text of the cells it lies on.
    """
    outer = seal.radius + seal.ring_width / 2 + SEAL_RIM
    box = _clip_box(gray.shape, seal.x, seal.y, outer)
    x0, y0, x1, y1 = box
    crop = gray[y0:y1, x0:x1]
    sigma = grain_sigma(crop)
    smooth = crop
    if sigma >= 1.0:
        smooth = cv2.GaussianBlur(crop, (0, 0), min(1.5, 0.5 + sigma / 12))
    margin = max(SEAL_SHADE_MARGIN, 2.5 * sigma)
    light = cv2.compare(crop, seal.level - margin, cv2.CMP_GE)
    shade = cv2.inRange(smooth, seal.level - SEAL_SHADE_MARGIN,
                        max(seal.level + SEAL_SHADE_MARGIN, SEAL_GREY[1]))
    stroke = max(2, round(seal.ring_width / SEAL_STROKE_SHARE))
    broad = cv2.morphologyEx(shade, cv2.MORPH_OPEN, np.ones((stroke, stroke), np.uint8))
    broad = cv2.dilate(broad, np.ones((3, 3), np.uint8), iterations=SEAL_RIM)
    centre = (round(seal.x) - x0, round(seal.y) - y0)
    where = np.zeros_like(crop)
    cv2.circle(where, centre, round(seal.radius), 255, round(outer - seal.radius) * 2)
    cv2.circle(where, centre, round(seal.radius * SEAL_STAR_REACH), 255, -1)
    return box, light & broad & where & ~_crossing_rules(gray, seal, box)


def _clip_box(shape: tuple[int, ...], x: float, y: float, reach: float) -> tuple[int, ...]:
    """The box (x0, y0, x1, y1) reaching `reach` pixels around (x, y), within the page."""
    height, width = shape[:2]
    return (max(0, int(x - reach)), max(0, int(y - reach)),
            min(width, int(x + reach) + 1), min(height, int(y + reach) + 1))


def _crossing_rules(gray: np.ndarray, seal: GreySeal, box: tuple[int, ...]) -> np.ndarray:
    """Long horizontal and vertical runs of ink through the seal, as a 255 mask of `box`:
    runs longer than the ring's radius, which the ring's own curve never makes (its
    straightest stretch, where a tangent touches it, is about 0.8 of the radius long).
    They are followed out past the seal, where rules crossing it go on."""
    length = int(seal.radius * SEAL_RULE_LENGTH)
    x0, y0, x1, y1 = _clip_box(gray.shape, seal.x, seal.y,
                               seal.radius + seal.ring_width + length)
    inked = cv2.compare(gray[y0:y1, x0:x1], SEAL_INKED, cv2.CMP_LE)
    runs = cv2.morphologyEx(inked, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    runs |= cv2.morphologyEx(inked, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    runs = cv2.dilate(runs, np.ones((3, 3), np.uint8))
    bx0, by0, bx1, by1 = box
    return runs[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0]


@dataclass(frozen=True)
class _Line:
    axis: str  # "h" or "v": the axis the line runs near
    off: float  # degrees it is off that axis, image coordinates (y down)
    length: float


def _shrunk_ink(gray: np.ndarray) -> np.ndarray:
    """The ink of a copy of the page shrunk to at most SKEW_WORK_SIDE pixels a side, where
    rules and lines of text are measured for the page's turn and skew."""
    factor = max(1.0, max(gray.shape) / SKEW_WORK_SIDE)
    small = cv2.resize(gray, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_AREA)
    return cv2.adaptiveThreshold(
        small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 12
    )


def _long_lines(small_ink: np.ndarray) -> list[_Line]:
    """Long straight segments (table rules) in the ink of a shrunken page (_shrunk_ink),
    those within RULE_TILT degrees of an axis."""
    min_length = min(small_ink.shape) // 5
    ink = _large_blobs(small_ink, min_length // 2)
    found = cv2.HoughLinesP(
        ink, 1, np.pi / 720, threshold=min_length // 2, minLineLength=min_length, maxLineGap=3
    )
    if found is None:
        return []
    lines = []
    for x0, y0, x1, y1 in found.reshape(-1, 4).astype(float):
        angle = float(np.degrees(np.arctan2(y1 - y0, x1 - x0)))
        axis, off = _deviation((angle + 90) % 180 - 90)
        if abs(off) <= RULE_TILT:
            lines.append(_Line(axis, off, float(np.hypot(x1 - x0, y1 - y0))))
    return lines


def _large_blobs(ink: np.ndarray, size: int) -> np.ndarray:
    """Only the blobs reaching `size` pixels in some direction: rules, not text."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) >= size
    keep[0] = False
    return np.where(keep, 255, 0).astype(np.uint8)[labels]


def _deviation(angle: float) -> tuple[str, float]:
    """Which axis a line at `angle` (degrees in [-90, 90)) is near and by how much it is
    off it."""
    if abs(angle) <= 45:
        return "h", angle
    return "v", angle - 90 if angle > 0 else angle + 90


def _quarter_turns(gray: np.ndarray, lines: list[_Line]) -> int:
    """0 or 1 (clockwise quarter turns), deciding whether the page lies on its side.

    Pages on their side are rare, so it takes evidence to turn one. Two votes are added up:
    digits (upright digits are taller than wide; a table is full of them) and, where the
    page has enough of them, rules (a statistics table has more length in its row rules
    than in its column rules, though a wide table such as 四 alone on a page comes close).
    Neither is enough alone: small Chinese type at low resolution falls apart into flat
    strokes that outvote the digits (seed-4 bench doc 39, 9 pt at 100 DPI: glyphs -2.1,
    rules +1.4), and a sideways 四 has its rules the upright way. Over the 418 page images
    of bench seeds 1-4 the sum is at most -1.2 on a page on its side and above -0.9 on an
    upright one the digits alone would have turned.
    """
    along = {"h": 1.0, "v": 1.0}
    for line in lines:
        along[line.axis] += line.length
    ruled = along["h"] + along["v"] > min(gray.shape)
    rule_vote = float(np.log(along["h"] / along["v"])) if ruled else 0.0
    return 1 if _glyph_vote(gray) + rule_vote < SIDEWAYS_VOTE else 0


def _glyph_vote(gray: np.ndarray) -> float:
    """Positive when small ink blobs are mostly taller than wide (digits upright).

    Counted on a copy shrunk to about 1000 pixels across (digits stay well over the 8
    pixels counted), which is several times faster than the full page."""
    factor = max(1.0, min(gray.shape) / 1000)
    if factor > 1:
        gray = cv2.resize(gray, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_AREA)
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w, h = stats[1:, cv2.CC_STAT_WIDTH].astype(float), stats[1:, cv2.CC_STAT_HEIGHT].astype(float)
    small = (np.maximum(w, h) >= 8) & (np.maximum(w, h) <= min(gray.shape) / 15)
    tall = np.count_nonzero(small & (h > 1.4 * w) & (h < 4 * w))
    wide = np.count_nonzero(small & (w > 1.4 * h) & (w < 4 * h))
    return float(np.log((tall + 1) / (wide + 1)))


def _skew_degrees(lines: list[_Line]) -> float:
    """The page's small rotation, from the length-weighted median tilt of its long rules
    (at least one: `_page_skew` asks only a page with rules)."""
    offs = [line.off for line in lines]
    weights = [line.length for line in lines]
    order = np.argsort(offs)
    cumulative = np.cumsum(np.asarray(weights)[order])
    median = float(np.asarray(offs)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
    return median if abs(median) >= 0.1 else 0.0


def _page_skew(small_ink: np.ndarray, lines: list[_Line], turns: int) -> float:
    """The page's small rotation (degrees): from its rules when it has enough of them,
    else from its lines of text. `small_ink`: the page's ink as _shrunk_ink gives it;
    `lines`: its long straight segments (_long_lines); `turns`: its quarter turns.

    A page whose rules are light grey keeps a few pieces of them, or of something else
    straight (a generated page turned 2.1 degrees, grey-186 rules in grain: two segments
    tilted 1.41); its lines of text tell its skew far better then."""
    if sum(line.length for line in lines) < SKEW_RULE_LENGTH * min(small_ink.shape):
        return _text_skew(small_ink, turns)
    return _skew_degrees(lines)


def _text_skew(small_ink: np.ndarray, turns: int) -> float:
    """The page's small rotation from its lines of text, for a page without rules (a scan
    that lost them): the angle that, undone, makes the rows of ink sharpest (the sum of
    squared changes of the ink per row, highest). Tried every 0.25 degrees within
    TEXT_SKEW_RANGE, then every 0.05 around the best; of angles that tie (on a narrow page
    a small turn moves no pixel), the middle one. Below TEXT_SKEW_MIN it is left (it
    showed 0.1 on a level page). A page on its side (`turns`) has its lines of text
    running down it; turns and a skew commute, so the angle is the same either way.
    `small_ink`: the page's ink as _shrunk_ink gives it."""
    ink = cv2.rotate(small_ink, cv2.ROTATE_90_CLOCKWISE) if turns % 2 else small_ink
    height, width = ink.shape
    centre = (width / 2, height / 2)

    def sharpest(angles: np.ndarray) -> float:
        scores = []
        for angle in angles:
            rotation = cv2.getRotationMatrix2D(centre, angle, 1.0)
            turned = cv2.warpAffine(ink, rotation, (width, height), flags=cv2.INTER_NEAREST)
            rows = turned.sum(axis=1, dtype=np.float64)
            scores.append(np.square(np.diff(rows)).sum())
        return float(np.median(angles[np.array(scores) >= max(scores) * (1 - 1e-9)]))

    best = sharpest(np.arange(-TEXT_SKEW_RANGE, TEXT_SKEW_RANGE + 1e-9, 0.25))
    skew = sharpest(np.arange(best - 0.2, best + 0.2 + 1e-9, 0.05))
    return round(skew, 2) if abs(skew) >= TEXT_SKEW_MIN else 0.0


def _turn_and_deskew(shape: tuple[int, ...], turns: int, skew: float) -> np.ndarray:
    """3x3 transform: rotate by `skew` degrees counter-clockwise plus `turns` clockwise
    quarter turns about the centre, then shift so the whole page stays in view."""
    height, width = shape[:2]
    rotation = cv2.getRotationMatrix2D((width / 2, height / 2), skew - 90 * turns, 1.0)
    corners = np.array([[0, 0, 1], [width, 0, 1], [0, height, 1], [width, height, 1]], float)
    moved = corners @ rotation.T
    rotation[:, 2] -= moved.min(axis=0)
    return np.vstack([rotation, [0, 0, 1]])


def _warp(image: np.ndarray, transform: np.ndarray) -> np.ndarray:
    """Apply a 3x3 transform, sizing the output to hold the whole transformed page."""
    height, width = image.shape[:2]
    corners = np.array([[0, 0], [width, 0], [0, height], [width, height]], np.float32)
    moved = cv2.perspectiveTransform(corners[None], transform)[0]
    out_w, out_h = (int(np.ceil(v)) for v in moved.max(axis=0))
    border = WHITE if image.ndim == 3 else 255
    return cv2.warpPerspective(
        image,
        transform,
        (max(out_w, 1), max(out_h, 1)),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=border,
    )


def _should_half_turn(gray: np.ndarray, upright_score: UprightScore | None) -> bool:
    """Whether the page is upside down.

    With a scorer, it decides. Without one, the layout does: the official tables put merged
    header cells on top and row labels spanning many rows on the left, so rules get denser
    downwards and rightwards; failing that, text ink leans up and left.
    """
    if upright_score is not None:
        return upright_score(cv2.rotate(gray, cv2.ROTATE_180)) > upright_score(gray)
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    long = max(30, min(gray.shape) // 20)
    h_rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, long), np.uint8))
    v_rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((long, 1), np.uint8))
    structure = _density_trend(v_rules, axis=1) + _density_trend(h_rules.T, axis=1)
    if abs(structure) > 0.2:
        return structure < 0
    text = cv2.subtract(ink, cv2.dilate(h_rules | v_rules, np.ones((3, 3), np.uint8)))
    ys, xs = np.nonzero(text)
    if len(xs) < 100:
        return False
    cx = (xs.mean() - xs.min()) / max(1, xs.max() - xs.min())
    cy = (ys.mean() - ys.min()) / max(1, ys.max() - ys.min())
    return (cx - 0.5) + (cy - 0.5) > 0.02


def _density_trend(rules: np.ndarray, axis: int) -> float:
    """Correlation between a row's index and how many rules cross it (rows that no rule
    crosses are outside any table and left out)."""
    on = rules > 0
    crossings = np.count_nonzero(on[:, 1:] & ~on[:, :-1], axis=axis).astype(float)
    rows = np.flatnonzero(crossings)
    if len(rows) < 10 or crossings[rows].std() == 0:
        return 0.0
    return float(np.corrcoef(rows, crossings[rows])[0, 1])


def _table_quadrilateral(gray: np.ndarray) -> np.ndarray | None:
    """The outline of the page's largest table when it is a clearly non-rectangular
    quadrilateral (a photographed page); None when the table is already square.

    Each side is a line fitted to the outermost ink of the table's blob along that side,
    keeping only the points on one straight rule: a broken rule, a stamp or text touching
    the table leaves gaps and strays that a polygon traced around the blob would follow.
    """
    ink = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 12
    )
    ink = cv2.dilate(ink, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(ink, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    if cv2.contourArea(outline) < 0.1 * gray.shape[0] * gray.shape[1]:
        return None
    points = outline[:, 0, :].astype(np.float64)
    sides = []  # sides: top, right, bottom, left
    for axis, outer in ((1, np.min), (0, np.max), (1, np.max), (0, np.min)):
        line = _outer_rule(points, axis, outer)
        if line is None:
            return None
        sides.append(line)
    corners = [_crossing(sides[k - 1], sides[k]) for k in range(4)]  # tl, tr, br, bl
    if any(c is None for c in corners):
        return None
    quad = np.array(corners, np.float32)
    return quad if _max_corner_error(quad) > QUAD_MIN_CORNER_ERROR else None


def _outer_rule(points: np.ndarray, axis: int, outer) -> tuple[float, float, int] | None:
    """The straight rule along one side of a blob outline, as (slope, offset, axis): the
    side's coordinate `axis` = slope * other + offset. `outer` (np.min or np.max) picks
    the outermost outline point at each position along the side."""
    along = points[:, 1 - axis].round().astype(int)
    low, high = along.min(), along.max()
    margin = (high - low) // 20
    keep = (along >= low + margin) & (along <= high - margin)
    positions, across = along[keep], points[keep, axis]
    order = np.lexsort((across if outer is np.min else -across, positions))
    positions, across = positions[order], across[order]
    first = np.r_[True, positions[1:] != positions[:-1]]
    xs, ys = positions[first].astype(float), across[first]
    if len(xs) < 20:
        return None
    rng = np.random.default_rng(0)
    best, best_count = None, 0
    for _ in range(60):
        i, j = rng.choice(len(xs), 2, replace=False)
        if abs(xs[j] - xs[i]) < (high - low) / 4:
            continue
        slope = (ys[j] - ys[i]) / (xs[j] - xs[i])
        inliers = np.abs(ys - (slope * xs + ys[i] - slope * xs[i])) <= 2.0
        if np.count_nonzero(inliers) > best_count:
            best, best_count = inliers, np.count_nonzero(inliers)
    if best is None or best_count < 0.3 * len(xs):
        return None
    slope, offset = np.polyfit(xs[best], ys[best], 1)
    return float(slope), float(offset), axis


def _crossing(a: tuple[float, float, int], b: tuple[float, float, int]):
    """Where two side lines (one of each axis) cross, as (x, y)."""
    (sa, oa, axa), (sb, ob, _) = a, b
    if axa == 0:  # a: x = sa*y + oa; b: y = sb*x + ob
        (sa, oa), (sb, ob) = (sb, ob), (sa, oa)
    # a: y = sa*x + oa; b: x = sb*y + ob
    denominator = 1 - sa * sb
    if abs(denominator) < 1e-6:
        return None
    y = (sa * ob + oa) / denominator
    return (sb * y + ob, y)


def _max_corner_error(quad: np.ndarray) -> float:
    """The largest departure, in degrees, of a corner angle from a right angle."""
    errors = []
    for k in range(4):
        a, b = quad[k - 1] - quad[k], quad[(k + 1) % 4] - quad[k]
        cosine = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))
        errors.append(abs(90 - np.degrees(np.arccos(np.clip(cosine, -1, 1)))))
    return max(errors)


def _rectify(quad: np.ndarray) -> np.ndarray:
    """The homography taking the quadrilateral to an upright rectangle at its top-left."""
    tl, tr, br, bl = quad
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    x0, y0 = quad.min(axis=0)
    target = np.array(
        [[x0, y0], [x0 + width, y0], [x0 + width, y0 + height], [x0, y0 + height]], np.float32
    )
    return cv2.getPerspectiveTransform(quad, target)
