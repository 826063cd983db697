"""A ranked song's reason as a listener reads it: ml.reasons.Reason plus a sentence.

The kind, the song it names and the shares come from the ranking (ml/reasons.py); this
module only words them, with the catalogue's titles and tag names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from recommender.ml.ranked import SOURCE_POPULAR
from recommender.ml.reasons import Reason, ReasonKind
from recommender.serving.state import ServingModel


@dataclass(frozen=True, slots=True)
class SongReason:
    kind: str
    because_of: int | None
    text: str
    shares: tuple[tuple[str, float], ...]

    @property
    def shares_text(self) -> str:
        """ "played-after 62% · sounds-like 30% · popular 8%": the hover text on the pages."""
        return " · ".join(f"{kind} {share:.0%}" for kind, share in self.shares)


# Each kind's name, read from a dict: an enum's .value is a descriptor call, and an answer reads
# it for every share of every song.
_NAME: dict[ReasonKind, str] = {kind: kind.value for kind in ReasonKind}


def reason_view(reason: Reason, *, model: ServingModel, source: str) -> SongReason:
    return _view(reason, _text(reason, model=model, source=source))


def reason_views(
    reasons: Iterable[Reason], *, model: ServingModel, source: str
) -> list[SongReason]:
    """reason_view of each reason of one list, each sentence worded once: a list's reasons
    mostly name the same few songs for the same few kinds."""
    words: dict[tuple[ReasonKind, int | None, int | None], str] = {}
    out: list[SongReason] = []
    for reason in reasons:
        key = (reason.kind, reason.because_of, reason.tag)
        text = words.get(key)
        if text is None:
            text = words[key] = _text(reason, model=model, source=source)
        out.append(_view(reason, text))
    return out


def _view(reason: Reason, text: str) -> SongReason:
    name = _NAME
    return SongReason(
        kind=name[reason.kind],
        because_of=reason.because_of,
        text=text,
        shares=tuple([(name[kind], share) for kind, share in reason.shares]),
    )


def _text(reason: Reason, *, model: ServingModel, source: str) -> str:
    other = model.songs.get(reason.because_of) if reason.because_of is not None else None
    title = f"“{other.title}”" if other is not None else ""
    tag = _tag_name(model, reason.tag)
    kind = reason.kind
    if kind is ReasonKind.PLAYED_AFTER:
        return f"often played after {title}" if title else "often played after your songs"
    if kind is ReasonKind.PLAYED_WITH:
        return f"often in the same playlists as {title}" if title else "in playlists like yours"
    if kind is ReasonKind.SOUNDS_LIKE:
        where = title or "your songs"
        return f"close to {where} on the song map (Word2Vec)"
    if kind is ReasonKind.SAME_ARTIST:
        return f"also by {other.artist}" if other is not None else "by an artist you picked"
    if kind is ReasonKind.SAME_TAG:
        if tag and title:
            return f"tagged {tag}, like {title}"
        return f"shares tags with {title}" if title else "shares tags with your songs"
    if kind is ReasonKind.POPULAR:
        return "a well-known song that fits"
    # The popular fallback: say what it is, not a score.
    if source == SOURCE_POPULAR:
        nothing = "the model has no data on the songs you picked"
        return f"popular {tag} song ({nothing})" if tag else f"popular song ({nothing})"
    return "popular song, to fill the list (the model had no more to suggest)"


def _tag_name(model: ServingModel, tag: int | None) -> str:
    if tag is None:
        return ""
    return model.tag_names.get(tag, "")
