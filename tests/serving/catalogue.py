"""A small catalogue for the serving tests: six groups of songs that radio plays together.

Titles include what must be escaped (`&`, `<script>`, quotes) and what search must fold
(accents). Two extra songs have no vector in a model trained with min_count=2: RARE is played
once (so it has successors), UNPLAYED never (so only popularity can place it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from playlists.models import Dataset, Playlist, Song, SongTag, Tag
from playlists.text import search_key

TAGS = ("pop", "hip-hop", "metal", "chanson", "country", "rock", "80s")

GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "pop",
        (
            ("Billie Jean", "Michael Jackson"),
            ("Beat It", "Michael Jackson"),
            ("Thriller", "Michael Jackson"),
            ("Like a Prayer", "Madonna"),
            ("Girls Just Want to Have Fun", "Cyndi Lauper"),
            ("Take On Me", "a-ha"),
            ("Bad Guy", "Billie Eilish"),
            ("Rock & Roll Girls", "John Fogerty"),
        ),
    ),
    (
        "hip-hop",
        (
            ("California Love (w/ Dr. Dre & Roger Troutman)", "2Pac"),
            ("Still D.R.E.", "Dr. Dre"),
            ("Gin & Juice", "Snoop Dogg"),
            ("Juicy", "The Notorious B.I.G."),
            ('Nuthin\' but a "G" Thang', "Dr. Dre"),
            ("Hypnotize", "The Notorious B.I.G."),
            ("Regulate", "Warren G"),
            ("Ms. Jackson", "OutKast"),
        ),
    ),
    (
        "metal",
        (
            ("Fade To Black", "Metallica"),
            ("One", "Metallica"),
            ("Enter Sandman", "Metallica"),
            ("Master of Puppets", "Metallica"),
            ("<script>alert(1)</script>", "XSS <b>Band</b>"),
            ("Ace of Spades", "Motörhead"),
            ("Holy Diver", "Dio"),
            ("Paranoid", "Black Sabbath"),
        ),
    ),
    (
        "chanson",
        (
            ("L'été indien", "Joe Dassin"),
            ("Ça plane pour moi", "Plastic Bertrand"),
            ("Déjà Vu", "Beyoncé"),
            ("Crazy in Love", "Beyoncé"),
            ("Halo", "Beyoncé"),
            ("Non, je ne regrette rien", "Édith Piaf"),
            ("La Vie en rose", "Édith Piaf"),
            ("Les Champs-Élysées", "Joe Dassin"),
        ),
    ),
    (
        "country",
        (
            ("Jolene", "Dolly Parton"),
            ("9 to 5", "Dolly Parton"),
            ("Ring of Fire", "Johnny Cash"),
            ("Folsom Prison Blues", "Johnny Cash"),
            ("Friends in Low Places", "Garth Brooks"),
            ("The Gambler", "Kenny Rogers"),
            ("Stand by Your Man", "Tammy Wynette"),
            ("Man! I Feel Like a Woman!", "Shania Twain"),
        ),
    ),
    (
        "rock",
        (
            ("Bohemian Rhapsody", "Queen"),
            ("Hotel California", "Eagles"),
            ("Stairway to Heaven", "Led Zeppelin"),
            ("Sweet Child O' Mine", "Guns N' Roses"),
            ("Back in Black", "AC/DC"),
            ("Dream On", "Aerosmith"),
            ("More Than a Feeling", "Boston"),
            ("Born to Run", "Bruce Springsteen"),
        ),
    ),
)
GROUP_SIZE = 8
RARE = ("Lonely Demo", "Nobody Knows")
UNPLAYED = ("Never Played", "The Unheard")


@dataclass(frozen=True)
class Catalogue:
    ids: dict[str, int]  # title -> song id
    group_of: dict[int, int]  # song id -> group number
    rare_id: int
    unplayed_id: int
    rare_successor_id: int

    def id(self, title: str) -> int:
        return self.ids[title]

    def group(self, title: str) -> list[int]:
        number = self.group_of[self.ids[title]]
        return [song_id for song_id, g in self.group_of.items() if g == number]


# Songs per artist in the extra groups: four artists a group, so an artist gap of 3 holds.
EXTRA_SONGS_PER_ARTIST = 2


def catalogue_create(
    *, playlists_per_group: int = 24, length: int = 10, seed: int = 3, extra_groups: int = 0
) -> Catalogue:
    """Write the songs, tags and playlists with the ORM and return who is who.

    `extra_groups` adds groups of plain "Track" songs after the named ones (ids after
    UNPLAYED, playlists from their own random stream), for tests that need a longer catalogue
    than the six groups, e.g. a 75-song radio station; the named songs stay as they are.
    """
    rng = np.random.default_rng(seed)
    dataset = Dataset.objects.create(name="serving-test", source="tests", fingerprint="0" * 64)
    tags = {name: Tag.objects.create(id=i, name=name) for i, name in enumerate(TAGS)}

    songs: list[tuple[str, str, tuple[str, ...]]] = []
    group_of: dict[int, int] = {}
    for number, (tag, members) in enumerate(GROUPS):
        for position, (title, artist) in enumerate(members):
            extra = ("80s",) if number == 0 and position < 6 else ()
            group_of[len(songs)] = number
            songs.append((title, artist, (tag, *extra)))
    rare_id = len(songs)
    songs.append((*RARE, ("pop",)))
    unplayed_id = len(songs)
    songs.append((*UNPLAYED, ("metal",)))

    train: list[list[int]] = []
    for number in range(len(GROUPS)):
        group = np.arange(number * GROUP_SIZE, (number + 1) * GROUP_SIZE)
        for _ in range(playlists_per_group):
            train.append(rng.choice(group, size=length).tolist())
    # The rare song is played once, right before the hip-hop group's second song.
    rare_successor_id = GROUP_SIZE + 1
    train.append([rare_id, rare_successor_id, GROUP_SIZE + 2])
    test = [
        rng.choice(np.arange(n * GROUP_SIZE, (n + 1) * GROUP_SIZE), size=length).tolist()
        for n in range(len(GROUPS))
    ]

    extra_rng = np.random.default_rng(seed + 1)
    for number in range(len(GROUPS), len(GROUPS) + extra_groups):
        first = len(songs)
        for position in range(GROUP_SIZE):
            band = (number - len(GROUPS)) * 4 + position // EXTRA_SONGS_PER_ARTIST + 1
            group_of[len(songs)] = number
            songs.append((f"Track {first + position}", f"Band {band}", (TAGS[number % 6],)))
        group = np.arange(first, first + GROUP_SIZE)
        for _ in range(playlists_per_group):
            train.append(extra_rng.choice(group, size=length).tolist())

    plays = Counter(song for playlist in train for song in playlist)
    Song.objects.bulk_create(
        Song(
            id=song_id,
            title=title,
            artist=artist,
            search_text=search_key(f"{title} {artist}"),
            play_count=plays.get(song_id, 0),
        )
        for song_id, (title, artist, _) in enumerate(songs)
    )
    SongTag.objects.bulk_create(
        SongTag(song_id=song_id, tag=tags[name], rank=rank)
        for song_id, (_, _, names) in enumerate(songs)
        for rank, name in enumerate(names)
    )
    for split, lists in ((Playlist.Split.TRAIN, train), (Playlist.Split.TEST, test)):
        Playlist.objects.bulk_create(
            Playlist(
                dataset=dataset,
                split=split,
                line_number=line,
                length=len(songs_played),
                song_ids_blob=Playlist.encode_song_ids(songs_played),
            )
            for line, songs_played in enumerate(lists, start=3)
        )
    return Catalogue(
        ids={title: song_id for song_id, (title, _, _) in enumerate(songs)},
        group_of=group_of,
        rare_id=rare_id,
        unplayed_id=unplayed_id,
        rare_successor_id=rare_successor_id,
    )
