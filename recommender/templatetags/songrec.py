"""Template filters for the site's pages."""

from django import template

register = template.Library()


@register.filter
def label(value: object) -> str:
    """A settings or stats key as a label: "eval_playlists" -> "Eval playlists"."""
    text = str(value).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@register.filter
def percent(value: object) -> str:
    """A score as a bar width: 0..1 -> "0.0".."100.0", clamped (cosine can be negative)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "0"
    return f"{max(0.0, min(1.0, number)) * 100:.1f}"
