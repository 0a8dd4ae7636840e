"""Barcode labels for dossiers and cabinet positions, and reading back what a scanner typed.

What a label's code holds (the scanner types exactly this, then Enter):

- a dossier's spine label: its archive number (档号), exactly as stored, e.g. ``KH-2026-D30-0001``;
- a cabinet position's label: ``POS:`` + the cabinet's code + ``/`` + the position number, e.g.
  ``POS:A02/5``. Archive numbers never start with ``POS:``, so a scan tells the two apart; a
  cabinet code may itself hold a ``/``: the position is what follows the last one.

Either is printed as Code 128 (a one-dimensional barcode: printable ASCII only) or as a QR code
(anything, UTF-8). A code Code 128 cannot hold — a cabinet code in Chinese — is printed as a QR
code instead, and the label says so.

`parse_scan` reads what a scanner typed into a text field (surrounding whitespace, a trailing
carriage return, full-width characters of a Chinese input method all tolerated) and says what it
names; it never touches the database. lending's issue and return desk uses it too.
"""

import base64
import io
import re
import unicodedata
from dataclasses import dataclass

import barcode
import qrcode
from barcode.errors import BarcodeError
from barcode.writer import ImageWriter
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm_archive.forms import without_control_characters

from .models import ScanKind

POSITION_PREFIX = "POS:"
# Longer than any code of ours (an archive number is at most 40 characters, a position code 30):
# more is not one of our labels. A scan record keeps at most this much of what was typed.
SCAN_MAX_LENGTH = 100
ARCHIVE_NUMBER_MAX_LENGTH = 40
POSITION_MAX = 32767  # a PositiveSmallIntegerField
# Code 128 holds printable ASCII.
CODE128_TEXT = re.compile(r"^[\x20-\x7e]+$")

# How the codes are drawn. A Code 128 module (the narrowest bar) is 0.2 mm, drawn 4 pixels wide at
# 508 dpi, so every bar is a whole number of pixels; a QR module is 0.6 mm.
CODE128_MODULE_MM = 0.2
CODE128_DPI = 508
CODE128_HEIGHT_MM = 10
QR_MODULE_MM = 0.6
QR_BOX_PIXELS = 8
CSS_PIXELS_PER_MM = 96 / 25.4


class Symbology(models.TextChoices):
    CODE128 = "code128", _("一维条码（Code 128）")
    QR = "qr", _("二维码（QR）")


@dataclass(frozen=True)
class ScannedCode:
    """What a scanned code names. `kind` is "dossier" (then `archive_number` is set), "position"
    (then `cabinet_code` and `position`) or "unknown". `text` is the code as read, cleaned (at most
    SCAN_MAX_LENGTH characters), for messages and the stocktake's record."""

    kind: str
    text: str
    archive_number: str = ""
    cabinet_code: str = ""
    position: int | None = None

    @property
    def is_dossier(self) -> bool:
        return self.kind == ScanKind.DOSSIER

    @property
    def is_position(self) -> bool:
        return self.kind == ScanKind.POSITION

    @property
    def is_unknown(self) -> bool:
        return self.kind == ScanKind.UNKNOWN


def dossier_code(archive_number: str) -> str:
    """What a dossier's label holds: its archive number, exactly."""
    return archive_number


def position_code(cabinet_code: str, position: int) -> str:
    """What a cabinet position's label holds: POS:<cabinet code>/<position>."""
    return f"{POSITION_PREFIX}{cabinet_code}/{int(position)}"


def _normalised(text) -> str:
    """`text` as a scanner meant it: full-width characters (a Chinese input method left on) made
    ASCII, control characters and the trailing Enter or carriage return dropped, whitespace
    around it trimmed."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = unicodedata.normalize("NFKC", text[: SCAN_MAX_LENGTH * 4])
    text = without_control_characters(text).replace("\r", "").replace("\n", "").replace("\t", " ")
    return text.strip()


def parse_scan(text) -> ScannedCode:
    """What the scanned `text` names: a dossier (kind "dossier", `archive_number`), a cabinet
    position (kind "position", `cabinet_code`, `position` ≥ 1), or nothing we print ("unknown":
    empty, too long, a malformed position code, or text with spaces inside). Whether that archive
    number or cabinet exists is for the caller to look up."""
    raw_length = len(text) if isinstance(text, str) else 0
    cleaned = _normalised(text)
    shown = cleaned[:SCAN_MAX_LENGTH]
    if not cleaned or raw_length > SCAN_MAX_LENGTH * 4 or len(cleaned) > SCAN_MAX_LENGTH:
        return ScannedCode(ScanKind.UNKNOWN, shown)
    if cleaned[: len(POSITION_PREFIX)].upper() == POSITION_PREFIX:
        cabinet_code, slash, number = cleaned[len(POSITION_PREFIX) :].rpartition("/")
        cabinet_code = cabinet_code.strip()
        number = number.strip()
        if (
            slash
            and cabinet_code
            and number.isascii()
            and number.isdigit()
            and len(number) <= 5
            and 1 <= int(number) <= POSITION_MAX
        ):
            return ScannedCode(ScanKind.POSITION, shown, cabinet_code=cabinet_code, position=int(number))
        return ScannedCode(ScanKind.UNKNOWN, shown)
    if len(cleaned) > ARCHIVE_NUMBER_MAX_LENGTH or any(character.isspace() for character in cleaned):
        return ScannedCode(ScanKind.UNKNOWN, shown)
    return ScannedCode(ScanKind.DOSSIER, shown, archive_number=cleaned)


def split_codes(text: str) -> list[str]:
    """The archive numbers typed or scanned into a text box: one per line (or separated by spaces,
    commas, 、 or ；), each cleaned as `parse_scan` cleans a scan, without repeats, in order."""
    text = unicodedata.normalize("NFKC", text or "")
    parts = re.split(r"[\s,;、，；]+", without_control_characters(text))
    return list(dict.fromkeys(part for part in (_normalised(part) for part in parts) if part))


# Drawing


class LabelError(ValueError):
    """A code the chosen symbology cannot hold."""


@dataclass(frozen=True)
class CodeImage:
    """A drawn code: its PNG and the size to print it at, in CSS pixels (1/96 inch)."""

    png: bytes
    width: int
    height: int
    symbology: str

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def code128_image(content: str) -> CodeImage:
    """`content` as a Code 128 barcode; LabelError when it is not printable ASCII."""
    if not CODE128_TEXT.match(content or ""):
        raise LabelError(content)
    writer = ImageWriter(format="PNG", mode="L")
    try:
        code = barcode.get_barcode_class("code128")(content, writer=writer)
        buffer = io.BytesIO()
        code.write(
            buffer,
            options={
                "module_width": CODE128_MODULE_MM,
                "module_height": CODE128_HEIGHT_MM,
                "quiet_zone": 2.5,
                "dpi": CODE128_DPI,
                "write_text": False,
                "background": "white",
                "foreground": "black",
            },
        )
    except (BarcodeError, ValueError) as error:
        raise LabelError(content) from error
    png = buffer.getvalue()
    width, height = _png_size(png)
    return CodeImage(
        png, round(width * 96 / CODE128_DPI), round(height * 96 / CODE128_DPI), symbology=Symbology.CODE128
    )


def qr_image(content: str) -> CodeImage:
    """`content` as a QR code (UTF-8, error correction M)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=QR_BOX_PIXELS, border=4)
    code.add_data(content.encode("utf-8"))
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    modules = code.modules_count + 2 * code.border
    side = round(modules * QR_MODULE_MM * CSS_PIXELS_PER_MM)
    return CodeImage(buffer.getvalue(), side, side, symbology=Symbology.QR)


def code_image(content: str, symbology: str) -> CodeImage:
    """`content` drawn in `symbology`; as a QR code when Code 128 cannot hold it (see the result's
    `symbology`)."""
    if symbology == Symbology.CODE128:
        try:
            return code128_image(content)
        except LabelError:
            pass
    return qr_image(content)


def _png_size(png: bytes) -> tuple[int, int]:
    # The IHDR chunk, right after the 8-byte signature, starts with width and height.
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


# What a label shows


def label_text(value, limit: int) -> str:
    """`value` fit for one line of a label: control characters and line breaks gone, runs of
    whitespace made one space, cut to `limit` characters with an ellipsis."""
    text = " ".join(without_control_characters(str(value or "")).split())
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


CUSTOMER_NAME_LIMIT = 18
CABINET_CODE_LIMIT = 20
PLACE_LIMIT = 24


@dataclass(frozen=True)
class Label:
    """One printed label: the code and the lines of text beside it."""

    code: str
    title: str
    lines: tuple[str, ...]
    image: CodeImage
    requested_symbology: str
    kind: str
    customer_id: int | None = None  # the customer a dossier's label names (its read is logged)

    @property
    def fell_back_to_qr(self) -> bool:
        return self.image.symbology != self.requested_symbology


def dossier_label(dossier, symbology: str) -> Label:
    """A dossier's spine label: the archive number as its code and title, the customer's name
    (cut to CUSTOMER_NAME_LIMIT characters) and where it is shelved."""
    code = dossier_code(dossier.archive_number)
    place = ""
    if dossier.cabinet_id:
        place = _("%(cabinet)s 第 %(position)s 格") % {
            "cabinet": label_text(dossier.cabinet.code, CABINET_CODE_LIMIT),
            "position": dossier.position,
        }
    return Label(
        code=code,
        title=label_text(code, ARCHIVE_NUMBER_MAX_LENGTH),
        lines=tuple(line for line in (label_text(dossier.customer.name, CUSTOMER_NAME_LIMIT), place) if line),
        image=code_image(code, symbology),
        requested_symbology=symbology,
        kind=ScanKind.DOSSIER,
        customer_id=dossier.customer_id,
    )


def position_label(cabinet, position: int, symbology: str) -> Label:
    """A cabinet position's label: POS:<cabinet>/<position> as its code, the cabinet and position
    in words, and the cabinet's place."""
    code = position_code(cabinet.code, position)
    return Label(
        code=code,
        title=_("%(cabinet)s 第 %(position)d 格")
        % {"cabinet": label_text(cabinet.code, CABINET_CODE_LIMIT), "position": position},
        lines=(label_text(cabinet.place, PLACE_LIMIT),),
        image=code_image(code, symbology),
        requested_symbology=symbology,
        kind=ScanKind.POSITION,
    )


# An A4 sheet of 24 labels, 3 across and 8 down, 70 × 36 mm each (the common 24-up label paper).
LABELS_PER_ROW = 3
LABELS_PER_PAGE = 24
LABELS_MAX = 400  # one request draws at most this many labels


def label_pages(labels: list[Label], per_page: int = LABELS_PER_PAGE) -> list[list[Label]]:
    """`labels` cut into A4 pages."""
    return [labels[start : start + per_page] for start in range(0, len(labels), per_page)]
