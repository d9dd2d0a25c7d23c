"""Clean a scraped or pasted article into paragraphs, reporting everything removed or changed.

The cleaner is a list of named rules. Each rule has a name for the report, a pattern, and says
what it removes: a whole line of page debris, a match inside a paragraph, or a fix to spacing.
Rules that find metadata (a headline, a bio line) capture it with named groups, and the draft
pack uses it. Nothing else is touched: every word of the article itself is kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from bot.wording import plural

Scope = Literal["line", "match", "spacing"]
# Pack fields a rule's named groups may fill.
GUESSES = ("title", "author", "affiliation", "bio", "outlet", "published")


@dataclass(frozen=True)
class Rule:
    """One kind of debris or damage: its name in the report, its pattern, and what it removes.

    `line` rules remove a whole line that matches; `match` rules remove the match from inside a
    paragraph; `spacing` rules replace the match with `replacement`. `moves_to` names the pack
    field that keeps the removed text, for lines that are metadata rather than debris.
    """

    name: str
    pattern: re.Pattern[str]
    scope: Scope
    removes: str
    moves_to: str | None = None
    replacement: str = ""
    # Only where this holds does the rule apply (position, paragraph count); by default always.
    applies: Callable[[Position], bool] = field(default=lambda _: True, compare=False)


@dataclass(frozen=True)
class Position:
    """Where a line sits among the article's non-blank blocks, for rules that depend on it."""

    block: int  # 0-based among the blocks left when the rule runs
    blocks: int
    lines_in_block: int


@dataclass(frozen=True)
class Removal:
    """Something taken out of the text, verbatim, and where it was."""

    rule: str
    text: str
    line: int  # in the source text, 1-based, so the report reads top to bottom
    where: str = ""
    moves_to: str | None = None

    def describe(self) -> str:
        """One line for the report, in the style of the shipped pack's preparation notes."""
        line = f'{self.rule} "{self.text}" {self.where or f"on line {self.line}"}'
        if self.moves_to:
            line += f" (moved verbatim to pack.yaml {self.moves_to})"
        return line


@dataclass(frozen=True)
class Fix:
    """A spacing fix, with the paragraphs it touched and one before/after example."""

    rule: str
    detail: str
    paragraphs: tuple[int, ...]
    example: tuple[str, str]

    def describe(self) -> str:
        """One line for the report."""
        before, after = self.example
        return (
            f"{self.rule}: {self.detail}, in {_paragraph_list(self.paragraphs)} "
            f'("{before}" -> "{after}")'
        )


@dataclass(frozen=True)
class Duplicate:
    """Two versions of a sentence run together by the scraper; one was kept."""

    paragraph: int
    line: int
    kept: str
    dropped: str
    why: str

    def describe(self) -> str:
        """One line for the report."""
        return (
            f"one of two run-together versions of a sentence in paragraph {self.paragraph} "
            f'(dropped "{self.dropped}", kept "{self.kept}"; see duplicate_sentences)'
        )


@dataclass(frozen=True)
class Cleaned:
    """The article's paragraphs, what was guessed about it, and the full report."""

    paragraphs: tuple[str, ...]
    guesses: dict[str, str]
    removed: tuple[Removal, ...]
    fixes: tuple[Fix, ...]
    duplicates: tuple[Duplicate, ...]
    lines_joined: int

    def removals(self) -> list[str]:
        """Everything removed, top to bottom, one line each."""
        found: list[Removal | Duplicate] = [*self.removed, *self.duplicates]
        return [item.describe() for item in sorted(found, key=lambda item: item.line)]

    def changes(self) -> list[str]:
        """Every change to the text that kept, one line each."""
        lines = [fix.describe() for fix in self.fixes]
        if self.lines_joined:
            lines.append(
                f"Joined {plural(self.lines_joined, 'line break')} inside paragraphs with spaces "
                "(the text was wrapped); paragraphs are the blocks between blank lines."
            )
        lines.append(
            "Trimmed leading and trailing whitespace from each paragraph; paragraphs are "
            "separated by exactly one blank line. Nothing else was changed: words, punctuation, "
            "quotation marks, apostrophes and dashes are as in the source."
        )
        return lines


_WORD = r"[A-Z][\w’'.\-]*"
_NAME = rf"{_WORD}(?:\s+{_WORD}){{1,3}}"
_ROLE_WORDS = (
    "fellow|professor|director|editor|writer|columnist|author|analyst|researcher|scholar|"
    "president|chair|chairman|founder|reporter|correspondent|contributor|member|lecturer|"
    "executive|partner|journalist|economist|historian|expert|adviser|advisor|associate|"
    "ceo|head|manager|teacher|student|candidate|officer|ambassador|diplomat|secretary|"
    "senator|representative|attorney|lawyer|physician|scientist|dean|chief|strategist"
)
_MONTH = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?"
)


def _near_top(position: Position) -> bool:
    return position.block < 4 and position.blocks > 1


def _first_line(position: Position) -> bool:
    return position.block == 0 and position.blocks > 1 and position.lines_in_block == 1


def _last_block(position: Position) -> bool:
    return position.block == position.blocks - 1 and position.blocks > 1


def _rule(
    name: str,
    pattern: str,
    scope: Scope,
    removes: str,
    *,
    flags: int = 0,
    moves_to: str | None = None,
    replacement: str = "",
    applies: Callable[[Position], bool] | None = None,
) -> Rule:
    return Rule(
        name,
        re.compile(pattern, flags),
        scope,
        removes,
        moves_to,
        replacement,
        applies or (lambda _: True),
    )


# Line rules run in this order on each line; the first that matches the whole line wins.
LINE_RULES: tuple[Rule, ...] = (
    _rule(
        "tags line",
        r"(?:Tags|Topics|Related topics|Filed under)\s*:?\s+[^.!?]{1,300}",
        "line",
        "a list of the page's tags",
    ),
    _rule(
        "comment-section notice",
        # A notice is a line or two; a long paragraph that mentions comments is the article's.
        r"(?=.{0,300}$)(?:(?P<outlet>[A-Z][\w.’' -]{0,60}?) has (?:removed|closed|disabled) its"
        r" comment section.*"
        r"|.*\b(?:comments? (?:section )?(?:is|are|has been|have been) (?:closed|disabled|"
        r"removed)|join the (?:discussion|conversation) on (?:Facebook|Twitter|X)\b).*)",
        "line",
        "a notice about the page's comments",
        flags=re.I,
    ),
    _rule(
        "navigation heading",
        r"More [\w.’' -]{1,40} News|Most (?:Popular|Read|Shared|Viewed)|Trending(?: Now)?"
        r"|Related(?: Articles| Stories| Content| Coverage)?|Recommended(?: for You)?"
        r"|(?:Latest|Top) (?:News|Stories|Headlines)|Read Next|You (?:May|Might) Also Like"
        r"|About the Author|Editor’s Picks|Editor's Picks",
        "line",
        "a heading of the page's menus and link lists",
        flags=re.I,
    ),
    _rule(
        "navigation link",
        r"See [Aa]ll(?: [\w.’'-]+){0,6}|Load [Mm]ore|Read [Mm]ore|Show [Mm]ore|View [Aa]ll"
        r"|Skip to (?:main )?content|Back to top|(?:Share|Tweet|Email|Print)(?: this(?: article"
        r"| story)?| on (?:Facebook|Twitter|X|LinkedIn))?|Continue reading|Next [Aa]rticle",
        "line",
        "a link of the page's menus",
    ),
    _rule(
        "advertisement label",
        r"\(?(?:Advertisement|ADVERTISEMENT|Sponsored(?: Content)?|Story continues below"
        r"(?: advertisement)?)\)?",
        "line",
        "an advertisement's label",
        flags=re.I,
    ),
    _rule(
        "newsletter prompt",
        r"(?:Sign up|Subscribe)\b.{0,120}\b(?:newsletter|inbox|updates|subscription)\b.{0,60}",
        "line",
        "an invitation to subscribe",
        flags=re.I,
    ),
    _rule(
        "copyright line",
        # "Copyright" alone starts sentences too; the notice has a © or a year after it.
        r"(?:(?:©|\(c\))\s*(?:\d{4}\s*)?|Copyright\s*(?:©\s*)?\d{4}\s*|Copyright\s*©\s*)"
        r"(?P<outlet>[^.,\n]{2,60}?)[.,]?"
        r"(?:\s*All rights reserved\.?)?",
        "line",
        "the page's copyright notice",
        flags=re.I,
    ),
    _rule(
        "byline",
        rf"By\s+(?P<author>{_NAME})(?:\s*[,|–—-]\s*(?P<affiliation>[^.]{{2,80}}))?",
        "line",
        "the author's byline",
        moves_to="author.name",
        applies=_near_top,
    ),
    _rule(
        "dateline",
        rf"(?:(?:Published|Updated|Posted)(?: on)?:?\s*)?(?P<published>(?:{_MONTH})\s+\d{{1,2}},?"
        rf"\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTH})\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}"
        rf"|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})"
        r"(?:[ ,]+\d{1,2}:\d{2}(?:\s*[AP]M)?(?:\s*[A-Z]{2,4})?)?",
        "line",
        "the page's date line",
        moves_to="published",
        applies=_near_top,
    ),
    _rule(
        "headline",
        r"(?P<title>[^\n]{3,200}?[^.,;:\s])",
        "line",
        "the headline at the top",
        moves_to="title",
        applies=_first_line,
    ),
    _rule(
        "author bio line",
        rf"[*_]*(?P<bio>(?P<author>{_NAME})\s+(?:is|was|has been|serves as)\s+"
        rf"(?:an?\s+|the\s+)?(?:[\w-]+\s+){{0,4}}?(?i:{_ROLE_WORDS})\b[^.]*?\b(?:at|of|with|for)\s+"
        rf"(?:the\s+)?(?P<affiliation>[A-Z][\w&’'.-]*(?:\s+(?:[A-Z][\w&’'.-]*|of|for|and|on))*)"
        r"[^\n]{0,400})[*_]*",
        "line",
        "the author's bio line",
        moves_to="author.bio",
        applies=_last_block,
    ),
)

MATCH_RULES: tuple[Rule, ...] = (
    _rule("ad marker", r"\{/?[a-z]+\}|\[(?:ad|advertisement)\]", "match", "an ad slot's marker"),
)

SPACING_RULES: tuple[Rule, ...] = (
    _rule(
        "double space",
        r"[ \u00a0\u2002-\u200a\u202f]{2,}",
        "spacing",
        "two or more spaces where one belongs",
        replacement=" ",
    ),
    _rule(
        "stray space before punctuation",
        r"[ \u00a0]+(?=[,;:.](?:\s|$))",
        "spacing",
        "a space before a comma, semicolon, colon or full stop",
    ),
)

# Two versions of a sentence glued with no space: "...delusional approachTrump can avoid...".
JUNCTION = re.compile(r"(?<=[a-z.!?”’\"])(?=[A-Z“])")
_SENTENCE_END = re.compile(r"[.!?][”’\")]?(?=\s|$)")
_ENDS_SENTENCE = re.compile(r"[.!?][”’\")]?\s*$")
# Versions of one sentence start alike; a name such as McDonald or iPhone shares nothing.
_SHARED_WORDS = 4


def clean(text: str) -> Cleaned:
    """Split `text` into the article's paragraphs and report everything removed or changed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = list(enumerate(text.split("\n"), 1))
    removed: list[Removal] = []
    guesses: dict[str, str] = {}
    blocks = _remove_lines(_blocks(lines), removed, guesses)
    joined = sum(len(block) - 1 for block in blocks)
    paragraphs = [
        (block[0][0], " ".join(line.strip() for _, line in block).strip()) for block in blocks
    ]
    paragraphs = _remove_repeats(_remove_matches(paragraphs, removed), removed)
    duplicates: list[Duplicate] = []
    texts = [
        _undouble(text, number, line, duplicates)
        for number, (line, text) in enumerate(paragraphs, 1)
    ]
    fixes = _fix_spacing(texts)
    return Cleaned(
        paragraphs=tuple(_apply_spacing(text) for text in texts),
        guesses=guesses,
        removed=tuple(removed),
        fixes=tuple(fixes),
        duplicates=tuple(duplicates),
        lines_joined=joined,
    )


Line = tuple[int, str]  # (line number in the source, its text)


def _blocks(lines: list[Line]) -> list[list[Line]]:
    """Paragraph blocks: lines between blank lines, or each line when there is no blank line."""
    filled = [number for number, line in lines if line.strip()]
    separated = bool(filled) and any(
        not line.strip() for number, line in lines if filled[0] < number < filled[-1]
    )
    blocks: list[list[Line]] = []
    current: list[Line] = []
    for number, line in lines:
        if not line.strip():
            if current:
                blocks.append(current)
            current = []
        elif separated:
            current.append((number, line))
        else:
            blocks.append([(number, line)])
    if current:
        blocks.append(current)
    return blocks


def _remove_lines(
    blocks: list[list[Line]], removed: list[Removal], guesses: dict[str, str]
) -> list[list[Line]]:
    # Debris first, everywhere; then the rules that depend on where a line sits, so a headline
    # or bio is judged among the article's blocks, not the menus around them.
    debris = [rule for rule in LINE_RULES if rule.moves_to is None]
    placed = [rule for rule in LINE_RULES if rule.moves_to is not None]
    for rules in (debris, placed):
        for rule in rules:
            kept: list[list[Line]] = []
            for index, block in enumerate(blocks):
                position = Position(index, len(blocks), len(block))
                left = [
                    line for line in block if not _take_line(rule, line, position, removed, guesses)
                ]
                if left:
                    kept.append(left)
            blocks = kept
    return blocks


def _take_line(
    rule: Rule, line: Line, position: Position, removed: list[Removal], guesses: dict[str, str]
) -> bool:
    if not rule.applies(position):
        return False
    number, text = line
    stripped = text.strip()
    found = rule.pattern.fullmatch(stripped)
    if found is None:
        return False
    for name, value in found.groupdict().items():
        if value and name in GUESSES:
            guesses.setdefault(name, _tidy(name, value))
    removed.append(Removal(rule.name, stripped, number, moves_to=rule.moves_to))
    return True


def _tidy(name: str, value: str) -> str:
    value = value.strip()
    if name in ("author", "affiliation", "outlet"):
        # A name captured up to the next comma may end in a full stop or a dangling "of".
        value = re.sub(r"(?:\s+(?:of|for|and|on|the))+$", "", value.rstrip(" .,;:"))
    return value


def _remove_matches(paragraphs: list[Line], removed: list[Removal]) -> list[Line]:
    result: list[Line] = []
    for line, paragraph in paragraphs:
        number = len(result) + 1
        for rule in MATCH_RULES:
            matches = list(rule.pattern.finditer(paragraph))
            alone = not rule.pattern.sub("", paragraph).strip()
            for found in matches:
                where = f"on line {line}" if alone else _where(paragraph, found, number)
                removed.append(Removal(rule.name, found.group(0), line, where))
            for found in reversed(matches):
                paragraph = _cut(paragraph, found.start(), found.end())
        paragraph = paragraph.strip()
        if paragraph:
            result.append((line, paragraph))
    return result


def _cut(text: str, start: int, end: int) -> str:
    """`text` without text[start:end], leaving one space where the cut had one on each side."""
    if start > 0 and end < len(text) and text[start - 1] == " " and text[end] == " ":
        end += 1
    return text[:start] + text[end:]


def _where(paragraph: str, found: re.Match[str], number: int) -> str:
    if not paragraph[: found.start()].strip():
        place = "at the start of"
    elif not paragraph[found.end() :].strip():
        place = "at the end of"
    else:
        place = "inside"
    return f"{place} paragraph {number}"


def _remove_repeats(paragraphs: list[Line], removed: list[Removal]) -> list[Line]:
    # A pull quote, or a scrape that caught a block twice: the later copy goes.
    seen: dict[str, int] = {}
    result: list[Line] = []
    for line, paragraph in paragraphs:
        key = " ".join(paragraph.split())
        if key in seen:
            where = f"on line {line} (a copy of paragraph {seen[key]})"
            removed.append(Removal("repeated paragraph", paragraph, line, where))
            continue
        result.append((line, paragraph))
        seen[key] = len(result)
    return result


def _undouble(paragraph: str, number: int, line: int, duplicates: list[Duplicate]) -> str:
    """Drop the incomplete one of two versions of a sentence run together with no space."""
    for junction in reversed(list(JUNCTION.finditer(paragraph))):
        at = junction.start()
        start = _sentence_start(paragraph, at)
        first = paragraph[start:at]
        end = _SENTENCE_END.search(paragraph, at)
        second = paragraph[at : end.end() if end else len(paragraph)]
        if _shared_prefix(first, second) < _SHARED_WORDS:
            continue
        first_complete = _ENDS_SENTENCE.search(first) is not None
        if first_complete and first.strip() == second.strip():
            kept, dropped, why = first, second, "The same sentence appears twice; one copy goes."
            paragraph = paragraph[:at] + paragraph[at + len(second) :]
        else:
            kept, dropped = second, first
            why = (
                "The scrape runs two versions of this sentence together with no space between "
                "them. The second is complete, with its own closing punctuation; the first "
                "breaks off without it, so it is taken for a fragment of another revision. "
                "Keeping the second keeps the article's words and punctuation as they stand."
                if not first_complete
                else "The scrape runs two complete versions of this sentence together; the "
                "later one is kept as the edited version. Check which one the outlet published."
            )
            paragraph = paragraph[:start] + paragraph[at:]
        duplicates.append(Duplicate(number, line, kept.strip(), dropped.strip(), why))
        # The cut moved every junction before it: look again from the start.
        return _undouble(paragraph, number, line, duplicates)
    return paragraph


def _sentence_start(paragraph: str, at: int) -> int:
    start = 0
    for found in _SENTENCE_END.finditer(paragraph, 0, at):
        if found.end() < at:
            start = found.end()
    while start < at and paragraph[start].isspace():
        start += 1
    return start


def _shared_prefix(first: str, second: str) -> int:
    count = 0
    for a, b in zip(first.split(), second.split(), strict=False):
        if a != b:
            break
        count += 1
    return count


def _fix_spacing(paragraphs: list[str]) -> list[Fix]:
    fixes: list[Fix] = []
    for rule in SPACING_RULES:
        found_by_detail: dict[str, tuple[list[int], tuple[str, str]]] = {}
        for number, paragraph in enumerate(paragraphs, 1):
            for found in rule.pattern.finditer(paragraph):
                detail = _detail(rule, found)
                numbers, _ = found_by_detail.setdefault(detail, ([], _example(rule, found)))
                if number not in numbers:
                    numbers.append(number)
        for detail, (numbers, example) in found_by_detail.items():
            fixes.append(Fix(rule.name, detail, tuple(numbers), example))
    return fixes


def _apply_spacing(paragraph: str) -> str:
    for rule in SPACING_RULES:
        paragraph = rule.pattern.sub(rule.replacement, paragraph)
    return paragraph.strip()


def _detail(rule: Rule, found: re.Match[str]) -> str:
    spaces = " followed by ".join(_spelled(char) for char in found.group(0))
    following = found.string[found.end() : found.end() + 1]
    if following and not following.isalnum() and not following.isspace():
        spaces += f" before {_spelled(following)}"
    done = "collapsed to one ordinary space" if rule.replacement == " " else "removed"
    return f"{spaces}, {done}"


def _example(rule: Rule, found: re.Match[str]) -> tuple[str, str]:
    """The fix in context: the word before, the spaces, and what follows up to the next word."""
    text = found.string
    head = re.search(r"\S+$", text[: found.start()])
    tail = re.match(r"\S*(?:\s+\S+)?", text[found.end() :])
    before_word = head.group(0) if head else ""
    after_words = tail.group(0) if tail else ""
    visible = found.group(0).replace("\u00a0", " ")
    return (
        before_word + visible + after_words,
        before_word + rule.replacement + after_words,
    )


def _spelled(char: str) -> str:
    if char == " ":
        return "an ordinary space"
    name = unicodedata.name(char, f"U+{ord(char):04X}").lower()
    article = "an" if name[0] in "aeiou" else "a"
    return f"{article} {name} (U+{ord(char):04X})" if ord(char) > 127 else f"{article} {name}"


def _paragraph_list(numbers: tuple[int, ...]) -> str:
    if len(numbers) == 1:
        return f"paragraph {numbers[0]}"
    return "paragraphs " + ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"
