"""Governance-aware word segmentation on private jieba / rjieba instances.

The :class:`Segmenter` never touches jieba's global tokenizer: each instance
owns its dictionary, so two segmenters with different user dictionaries can
live side by side in one notebook.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import multiprocessing.connection
import os
import re
import tempfile
import unicodedata
from itertools import accumulate, chain, filterfalse
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import pandas as pd

from civictools.errors import DataDroppedWarning, TextError
from civictools.text import _lexicon
from civictools.text.sentences import sentence_spans

__all__ = ["Segmenter", "TokenBoundaries", "DEFAULT_HMM", "ENGINES", "segmenter_cache_dir"]

#: HMM new-word guessing is off by default. On the 315 gold sentences span F1
#: is a tie (0.9005 off, 0.9000 on), but with it off the jieba and rjieba engines
#: agree on 99.96 % of sentences (98.5 % with it on), and jieba without HMM is
#: also better on the SIGHAN 2005 sets. See the text README, "HMM default".
DEFAULT_HMM = False
ENGINES = ("auto", "jieba", "rjieba")

# Characters jieba's default block regex (re_han_default) keeps inside one
# block; a dictionary word with any other character (·, space, full-width
# forms, ...) is never seen whole by the DAG, so such words are matched
# before segmentation instead.
_HAN_BLOCK = re.compile(r"^[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+$")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_SEP_DOC = "\x1e"
_SEP_TOK = "\x1f"


def segmenter_cache_dir() -> Path:
    """Return a writable folder for the jieba dictionary cache.

    The user cache folder (``platformdirs.user_cache_dir("civictools")``) is
    tried first; when it cannot be written (read-only home, sandbox) a folder
    in the system temp directory is used, and as a last resort a fresh
    temporary folder.

    Examples
    --------
    >>> segmenter_cache_dir().is_dir()
    True
    """
    import platformdirs

    candidates = []
    try:
        candidates.append(Path(platformdirs.user_cache_dir("civictools", appauthor=False)) / "jieba")
    except Exception:  # noqa: BLE001 - platformdirs can fail without HOME
        pass
    try:
        uid = os.getuid() if hasattr(os, "getuid") else "user"
        candidates.append(Path(tempfile.gettempdir()) / f"civictools-{uid}" / "jieba")
    except Exception:  # noqa: BLE001
        pass
    for cand in candidates:
        if _writable_dir(cand):
            return cand
    try:
        return Path(tempfile.mkdtemp(prefix="civictools-jieba-"))
    except OSError as exc:
        raise TextError(
            "no writable folder for the jieba dictionary cache (tried the user cache folder "
            f"and the temp folder): {exc}; set TMPDIR to a writable folder"
        ) from None


def _writable_dir(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        return True
    except OSError:
        return False


@contextlib.contextmanager
def _quiet_jieba() -> Iterator[None]:
    """Silence jieba's 'Building prefix dict' chatter while loading, then restore."""
    logger = logging.getLogger("jieba")
    old = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(old)


def _fallback_tag(word: str) -> str:
    """POS for words outside the dictionary, the way jieba-rs assigns them."""
    eng = digits = 0
    for ch in word:
        if ch.isascii() and ch.isalnum():
            eng += 1
            if ch.isdigit():
                digits += 1
    if eng == 0:
        return "x"
    return "m" if eng == digits else "eng"


_BASE_TAGS: dict[str, str] | None = None


def _jieba_base_tags() -> dict[str, str]:
    """word -> POS from jieba's main dictionary (read once per process)."""
    global _BASE_TAGS
    if _BASE_TAGS is None:
        tags = {}
        with open(_jieba_dict_path(), encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) == 3:
                    tags[parts[0]] = parts[2]
        _BASE_TAGS = tags
    return _BASE_TAGS


def _jieba_dict_path() -> str:
    import jieba

    return os.path.join(os.path.dirname(jieba.__file__), "dict.txt")


class Segmenter:
    """Word segmenter with the governance lexicon and user dictionaries.

    Parameters
    ----------
    lexicon : str, path, list or None, default "governance"
        The built-in governance lexicon (``"governance"``), another dictionary
        file, a list of entries, or ``None`` for plain jieba.
    user_dicts : sequence, default ()
        Extra dictionaries: file paths in jieba format (``word [freq] [pos]``
        a line; ``#`` comments allowed) and/or lists of such lines or of
        ``(word, freq, pos)`` tuples. Later entries override earlier ones.
        Words may contain hyphens, digits, Latin letters and ``·``.
    stopwords : "default", path, iterable or None
        Stopword list used by :meth:`is_stopword` and the exploration functions.
    hmm : bool, default False
        jieba's HMM guessing of unknown words. Off by default: it does not
        raise F1 on the gold sentences and makes the two engines disagree more
        often; the cost is that names outside every dictionary come out as
        single characters (add them with ``user_dicts``).
    engine : {"auto", "jieba", "rjieba"}
        ``"auto"`` uses rjieba (the Rust jieba-rs) when installed and jieba
        otherwise; both load the same dictionaries.

    Examples
    --------
    >>> seg = Segmenter()
    >>> seg.cut("社工站联合网格员推进接诉即办")
    ['社工站', '联合', '网格员', '推进', '接诉即办']
    >>> seg.tokenize("五社联动")
    [('五社联动', 0, 4)]
    """

    def __init__(
        self,
        lexicon: Any = "governance",
        user_dicts: Sequence[Any] = (),
        stopwords: Any = "default",
        hmm: bool = DEFAULT_HMM,
        engine: str = "auto",
    ) -> None:
        if engine not in ENGINES:
            raise TextError(f"engine must be one of {ENGINES}, got {engine!r}")
        self.hmm = bool(hmm)
        self._config = dict(
            lexicon=lexicon, user_dicts=user_dicts, stopwords=stopwords, hmm=hmm, engine=engine
        )
        entries = _lexicon.read_lexicon(lexicon) + _lexicon.read_user_dicts(user_dicts)
        self._entries: dict[str, tuple[int | None, str | None]] = {}
        for word, freq, tag in entries:
            self._entries[word] = (freq, tag)
        self.stopwords = _lexicon.read_stopwords(stopwords)
        if engine == "auto":
            try:
                import rjieba  # noqa: F401

                engine = "rjieba"
            except ImportError:
                engine = "jieba"
        self.engine = engine
        self._tags: dict[str, str] = {}
        self._pos_cache: dict[str, str] = {}
        if engine == "rjieba":
            self._load_rjieba()
        else:
            self._load_jieba()
        self._build_protected()

    # ------------------------------------------------------------------ loading
    def _load_rjieba(self) -> None:
        try:
            import rjieba
        except ImportError:
            from civictools.errors import MissingDependencyError

            raise MissingDependencyError(
                "engine='rjieba' needs the rjieba package: pip install rjieba (or use engine='jieba')"
            ) from None
        inst = rjieba.Jieba()
        for word, (freq, tag) in self._entries.items():
            if freq is None:
                freq = _default_freq(inst.suggest_freq(word))
            inst.add_word(word, int(freq), tag)
            if tag:
                self._tags[word] = tag
        self._rj = inst
        self._raw_cut = lambda text: inst.cut(text, self.hmm)

    def _load_jieba(self) -> None:
        import jieba

        tk = jieba.Tokenizer()
        tk.tmp_dir = str(segmenter_cache_dir())
        tk.cache_file = "jieba.cache"
        with _quiet_jieba():
            tk.initialize()
        for word, (freq, tag) in self._entries.items():
            if freq is None:
                freq = _default_freq(tk.suggest_freq(word, False))
            # freq 0 would call finalseg.add_force_split, a module-global set
            tk.add_word(word, max(int(freq), 1), tag)
            if tag:
                self._tags[word] = tag
        self._tk = tk
        self._raw_cut = lambda text: tk.lcut(text, HMM=self.hmm)

    def _build_protected(self) -> None:
        """Words the engine cannot keep whole are matched before segmentation."""
        protected = []
        for word in self._entries:
            if not _HAN_BLOCK.match(word):
                protected.append(word)
            elif _ASCII_ALNUM.search(word) and self._raw_cut(word) != [word]:
                protected.append(word)
        self.protected_words = tuple(sorted(protected))
        self._automaton = None
        if protected:
            import ahocorasick

            auto = ahocorasick.Automaton()
            for word in protected:
                auto.add_word(word, len(word))
            auto.make_automaton()
            self._automaton = auto

    def __reduce__(self) -> tuple[Any, ...]:
        cfg = self._config
        return (
            Segmenter,
            (cfg["lexicon"], cfg["user_dicts"], cfg["stopwords"], cfg["hmm"], cfg["engine"]),
        )

    def __repr__(self) -> str:
        return (
            f"Segmenter(engine={self.engine!r}, hmm={self.hmm}, words_added={len(self._entries)}, "
            f"stopwords={len(self.stopwords)})"
        )

    # ---------------------------------------------------------------- cutting
    def _protected_matches(self, text: str) -> list[tuple[int, int]]:
        out = []
        for end_idx, length in self._automaton.iter_long(text):  # type: ignore[union-attr]
            start = end_idx - length + 1
            end = end_idx + 1
            # a Latin/digit edge must not continue into more Latin/digits (12345 in 123456)
            if start > 0 and _ascii_alnum(text[start]) and _ascii_alnum(text[start - 1]):
                continue
            if end < len(text) and _ascii_alnum(text[end - 1]) and _ascii_alnum(text[end]):
                continue
            out.append((start, end))
        return out

    def _cut_all(self, text: str) -> list[str]:
        """Tokens covering every character of ``text`` (white space included)."""
        if self._automaton is None:
            return self._raw_cut(text)
        matches = self._protected_matches(text)
        if not matches:
            return self._raw_cut(text)
        out: list[str] = []
        pos = 0
        for start, end in matches:
            if start > pos:
                out.extend(self._raw_cut(text[pos:start]))
            out.append(text[start:end])
            pos = end
        if pos < len(text):
            out.extend(self._raw_cut(text[pos:]))
        return out

    def cut(self, text: str) -> list[str]:
        """Segment ``text`` into words; white-space tokens are left out.

        Examples
        --------
        >>> Segmenter().cut("居民议事会讨论加装电梯")
        ['居民议事会', '讨论', '加装电梯']
        """
        _check_text(text)
        # filterfalse with the C method str.isspace runs without a Python loop
        return list(filterfalse(str.isspace, self._cut_all(text)))

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        """Tokens with ``(start, end)`` character offsets; together they cover ``text``.

        Examples
        --------
        >>> Segmenter().tokenize("网格员 入户")
        [('网格员', 0, 3), (' ', 3, 4), ('入户', 4, 6)]
        """
        _check_text(text)
        out = []
        pos = 0
        for tok in self._cut_all(text):
            out.append((tok, pos, pos + len(tok)))
            pos += len(tok)
        return out

    def boundaries(self, text: str) -> "TokenBoundaries":
        """Token boundaries of ``text``, segmenting only the stretches asked about.

        ``pos in seg.boundaries(text)`` is true exactly when ``pos`` is an
        offset in :meth:`tokenize`'s output (0 and ``len(text)`` included), but
        only the run of text around ``pos`` is segmented. Iterating gives all
        boundaries in order (and segments everything). Theme coding uses this
        to check the few places where a term matched.

        Examples
        --------
        >>> b = Segmenter().boundaries("社区自治区，网格员入户")
        >>> 2 in b, 4 in b, 9 in b
        (True, False, True)
        >>> list(b) == sorted({0} | {e for _, _, e in Segmenter().tokenize("社区自治区，网格员入户")})
        True
        """
        _check_text(text)
        return TokenBoundaries(self, text)

    def _pos(self, tok: str) -> str:
        tag = self._tags.get(tok)
        if tag:
            return tag
        tag = self._pos_cache.get(tok)
        if tag is None:
            tag = self._pos_cache[tok] = self._lookup_pos(tok)
        return tag

    def _lookup_pos(self, tok: str) -> str:
        if self.engine == "rjieba":
            pairs = self._rj.tag(tok, False)
            if len(pairs) == 1:
                return pairs[0][1]
            return _fallback_tag(tok)
        return _jieba_base_tags().get(tok) or _fallback_tag(tok)

    def tag(self, text: str) -> list[tuple[str, str]]:
        """Words with part-of-speech tags (jieba's tag set; lexicon tags win).

        Words outside every dictionary get ``m`` (digits), ``eng`` (Latin
        letters) or ``x``, as in jieba-rs.

        Examples
        --------
        >>> Segmenter().tag("开展协商议事")
        [('开展', 'v'), ('协商议事', 'vn')]
        """
        return [(t, self._pos(t)) for t in self.cut(text)]

    def is_stopword(self, tok: str) -> bool:
        """True for a stopword, or a token of only punctuation, symbols or white space.

        Examples
        --------
        >>> seg = Segmenter()
        >>> seg.is_stopword("的"), seg.is_stopword("，"), seg.is_stopword("社工站")
        (True, True, False)
        """
        return tok in self.stopwords or _is_punct(tok)

    # ----------------------------------------------------------- many texts
    def cut_many(
        self, texts: Iterable[str], n_jobs: int = 1, progress: bool = True
    ) -> list[list[str]]:
        """Segment many texts, optionally in ``n_jobs`` processes.

        With ``n_jobs > 1`` the texts are split into chunks of about 100,000
        characters; ``n_jobs - 1`` forked workers (spawned on systems without
        fork) take chunks from the front and the calling process takes them
        from the back, unpacking the workers' results between its own chunks,
        so no process idles while work is left. Results come back in input
        order. Missing texts (``None``/NaN) give empty token lists.

        Examples
        --------
        >>> Segmenter().cut_many(["网格员入户", "社工站"], progress=False)
        [['网格员', '入户'], ['社工站']]
        """
        docs = [_as_text(t) for t in texts]
        n_jobs = _resolve_jobs(n_jobs)
        bar = _progress(len(docs), progress)
        try:
            if n_jobs == 1 or len(docs) < 2:
                out = []
                for d in docs:
                    out.append(self.cut(d))
                    bar.update(1)
                return out
            return self._cut_parallel(docs, n_jobs, bar)
        finally:
            bar.close()

    def _cut_parallel(self, docs: list[str], n_jobs: int, bar: Any) -> list[list[str]]:
        # Work sharing: the texts are cut into small chunks; workers claim chunks
        # from the front, the calling process from the back, and between its own
        # chunks it unpacks whatever the workers have sent. Nobody waits while
        # work is left, and the unpacking overlaps with the workers' cutting.
        size = _CHUNK_CHARS if self.engine == "rjieba" else _CHUNK_CHARS // 10
        chunks = _chunk_range(docs, size)
        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        ctx = mp.get_context(method)
        front = ctx.Value("i", 0, lock=False)
        back = ctx.Value("i", len(chunks), lock=False)
        lock = ctx.Lock()
        results: list[list[list[str]] | None] = [None] * len(chunks)
        # forked workers read the texts from inherited memory; spawned ones get them pickled
        pipes = []
        procs = []
        for _ in range(n_jobs - 1):
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(
                target=_worker_loop,
                args=(self, docs, chunks, front, back, lock, send),
                daemon=True,
            )
            proc.start()
            send.close()
            pipes.append(recv)
            procs.append(proc)
        try:
            open_pipes = list(pipes)

            def drain(block: bool) -> None:
                ready = mp.connection.wait(open_pipes, timeout=None if block else 0)
                for conn in ready:
                    try:
                        msg = conn.recv()
                    except EOFError:
                        open_pipes.remove(conn)
                        continue
                    if msg is None:  # this worker found no chunk left
                        open_pipes.remove(conn)
                        continue
                    if isinstance(msg, BaseException):
                        raise msg
                    i, packed = msg
                    lo, hi = chunks[i]
                    results[i] = _unpack(packed, hi - lo)
                    bar.update(hi - lo)

            while True:
                drain(block=False)
                with lock:
                    if back.value <= front.value:
                        break
                    back.value -= 1
                    i = back.value
                lo, hi = chunks[i]
                results[i] = [self.cut(d) for d in docs[lo:hi]]
                bar.update(hi - lo)
            while open_pipes:
                drain(block=True)
        finally:
            for proc in procs:
                proc.join(timeout=5)
                if proc.is_alive():  # pragma: no cover - only after an error in the parent
                    proc.terminate()
            for conn in pipes:
                conn.close()
        missing = [i for i, r in enumerate(results) if r is None]
        if missing:
            codes = sorted({p.exitcode for p in procs})
            raise TextError(
                f"cut_many(n_jobs={n_jobs}): a worker process ended early (exit codes {codes}) and "
                f"{len(missing)} chunks were not segmented; run with n_jobs=1 to see the error"
            )
        return list(chain.from_iterable(results))  # type: ignore[arg-type]

    # ------------------------------------------------------------- tables
    def tokens(
        self, df: pd.DataFrame, text_col: str = "text", id_col: str = "doc_id"
    ) -> pd.DataFrame:
        """One row per token: doc_id, sent_id, token_id, token, pos, start, end.

        ``start``/``end`` are character offsets into the document text;
        ``sent_id`` counts sentences within a document and ``token_id``
        tokens within a document (both from 0). White space is not a token.
        Documents with a missing text are left out with a
        :class:`~civictools.errors.DataDroppedWarning`; their number is in
        ``result.attrs["n_dropped_docs"]``.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"doc_id": ["d1"], "text": ["社工站开放。网格员入户！"]})
        >>> Segmenter().tokens(df)[["sent_id", "token", "start", "end"]].values.tolist()
        [[0, '社工站', 0, 3], [0, '开放', 3, 5], [0, '。', 5, 6], [1, '网格员', 6, 9], [1, '入户', 9, 11], [1, '！', 11, 12]]
        """
        if not isinstance(df, pd.DataFrame):
            raise TextError(f"tokens() needs a pandas DataFrame, got {type(df).__name__}")
        if text_col not in df.columns:
            raise TextError(
                f"column {text_col!r} not found (columns: {list(df.columns)}); pass text_col="
            )
        ids = df[id_col] if id_col in df.columns else pd.Series(df.index, index=df.index)
        rows: dict[str, list[Any]] = {k: [] for k in ("doc_id", "sent_id", "token_id", "token", "pos", "start", "end")}
        dropped = 0
        for doc_id, text in zip(ids.tolist(), df[text_col].tolist()):
            if not isinstance(text, str):
                if text is None or (isinstance(text, float) and text != text):
                    dropped += 1
                    continue
                raise TextError(
                    f"column {text_col!r}, doc_id {doc_id!r}: expected text, got {type(text).__name__}"
                )
            tid = 0
            for sid, (s, e) in enumerate(sentence_spans(text)):
                pos = s
                for tok in self._cut_all(text[s:e]):
                    end = pos + len(tok)
                    if not tok.isspace():
                        rows["doc_id"].append(doc_id)
                        rows["sent_id"].append(sid)
                        rows["token_id"].append(tid)
                        rows["token"].append(tok)
                        rows["pos"].append(self._pos(tok))
                        rows["start"].append(pos)
                        rows["end"].append(end)
                        tid += 1
                    pos = end
        out = pd.DataFrame(rows)
        for col in ("sent_id", "token_id", "start", "end"):
            out[col] = out[col].astype("int64")
        if dropped:
            import warnings

            warnings.warn(
                f"{dropped} document(s) with a missing {text_col!r} were left out of the token table",
                DataDroppedWarning,
                stacklevel=2,
            )
        out.attrs["n_dropped_docs"] = dropped
        return out


# --------------------------------------------------------------- helpers
#: frequency floor of user words given without a frequency
USER_FREQ_FLOOR = 5000


# Characters that either engine may put inside one block: jieba's re_han_default
# (U+4E00-U+9FD5 plus [a-zA-Z0-9+#&._%-]) and jieba-rs's RE_HAN_DEFAULT (CJK
# blocks U+3400-U+4DBF, U+4E00-U+9FFF, U+F900-U+FAFF, U+20000-U+2FA1F, same
# ASCII). Both engines cut every block on its own and emit everything between
# blocks one character at a time (white space by re_skip "(\r\n|\s)"), so a
# run of these characters, or a run of all other characters, can be segmented
# alone: its tokens are the tokens the whole text has there.
_RUN_CLASS = r"\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0002FA1Fa-zA-Z0-9+#&._%\-"
_IN_RUN = re.compile(f"[{_RUN_CLASS}]+")
_OUT_RUN = re.compile(f"[^{_RUN_CLASS}]+")


class TokenBoundaries:
    """Token boundaries of one text, computed run by run on demand.

    Returned by :meth:`Segmenter.boundaries`; supports ``pos in b`` and
    iteration (all boundaries, ascending).
    """

    __slots__ = ("_seg", "_text", "_rev", "_prot", "_known", "_all")

    def __init__(self, seg: Segmenter, text: str) -> None:
        self._seg = seg
        self._text = text
        self._rev: str | None = None
        self._prot = seg._protected_matches(text) if seg._automaton is not None else []
        # offset -> is a boundary, for every offset of the runs segmented so far
        self._known: dict[int, bool] = {0: True, len(text): True}
        self._all: list[int] | None = None

    def __contains__(self, pos: object) -> bool:
        got = self._known.get(pos)  # type: ignore[call-overload]
        if got is not None:
            return got
        text = self._text
        n = len(text)
        if not isinstance(pos, int) or pos < 0 or pos > n:
            return False
        lo, hi = 0, n
        for ps, pe in self._prot:  # few, usually none
            if pos == ps or pos == pe:
                return True
            if ps < pos < pe:
                return False
            if pe < pos:
                lo = pe
            elif ps > pos and hi == n:
                hi = ps
        left_in = _in_run(text[pos - 1])
        if left_in != _in_run(text[pos]):
            return True
        rx = _IN_RUN if left_in else _OUT_RUN
        if self._rev is None:
            self._rev = text[::-1]
        a = max(lo, n - rx.match(self._rev, n - pos).end())
        b = min(hi, rx.match(text, pos).end())
        known = self._known
        known.update(dict.fromkeys(range(a + 1, b), False))
        known.update(dict.fromkeys(accumulate(map(len, self._seg._raw_cut(text[a:b])), initial=a), True))
        return known[pos]

    def __iter__(self) -> Iterator[int]:
        if self._all is None:
            self._all = list(accumulate(map(len, self._seg._cut_all(self._text)), initial=0))
        return iter(self._all)

    def __repr__(self) -> str:
        return f"<TokenBoundaries of {len(self._text)} characters, {len(self._known)} offsets known>"


_RUN_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+#&._%-")


def _in_run(ch: str) -> bool:
    # the character class of _RUN_CLASS, without a regex call per character
    if "\u4e00" <= ch <= "\u9fff":
        return True
    if ch < "\u0080":
        return ch in _RUN_ASCII
    return ("\u3400" <= ch <= "\u4dbf") or ("\uf900" <= ch <= "\ufaff") or ("\U00020000" <= ch <= "\U0002fa1f")


def _default_freq(suggested: int) -> int:
    """Frequency of a user word given without one.

    jieba's bare suggestion only just joins the word in isolation. A user word
    should also win where its edge could join a lexicon term (河湾街道 before
    社工站 must not become 河湾 / 街道社工站), so it gets the lexicon's margin
    over the suggestion and at least ``USER_FREQ_FLOOR`` (25 times the
    lexicon's floor); the gold F1 does not change with these values.
    """
    from civictools.text._build_lexicon import MARGIN

    return max(int(suggested) * MARGIN, USER_FREQ_FLOOR)


def _ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _is_punct(tok: str) -> bool:
    return bool(tok) and all(
        ch.isspace() or unicodedata.category(ch)[0] in "PSZ" for ch in tok
    )


def _check_text(text: Any) -> None:
    if not isinstance(text, str):
        raise TextError(f"expected a str, got {type(text).__name__}; use cut_many() for many texts")


def _as_text(t: Any) -> str:
    if isinstance(t, str):
        return t
    if t is None or (isinstance(t, float) and t != t):
        return ""
    raise TextError(f"cut_many() expects strings, got {type(t).__name__}: {t!r:.40}")


def _resolve_jobs(n_jobs: int) -> int:
    if n_jobs is None:
        return 1
    n = int(n_jobs)
    if n < 0:
        n = max(1, (os.cpu_count() or 1) + 1 + n)
    if n == 0:
        raise TextError("n_jobs must be a positive integer or -1 (all cores)")
    return n


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, progress: bool) -> Any:
    if not progress:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="segmenting", leave=False)


#: chunk size (characters) for ``cut_many(n_jobs>1)`` with rjieba (a tenth of
#: it with the ten times slower jieba engine): small enough that the last
#: chunk, which nobody can share, is a short tail (~20-60 ms), large enough
#: that claiming and sending chunks costs nothing measurable
_CHUNK_CHARS = 100_000


def _chunk_range(docs: list[str], size: int) -> list[tuple[int, int]]:
    out = []
    start = 0
    acc = 0
    for i, d in enumerate(docs):
        acc += len(d)
        if acc >= size:
            out.append((start, i + 1))
            start = i + 1
            acc = 0
    if start < len(docs):
        out.append((start, len(docs)))
    return out


#: how workers send tokens back: "joined" (one separator-joined string that the
#: parent splits again) or "codes" (first-occurrence codes, rebuilt by indexing).
#: Section 7 of benchmarks/bench_segment.py times both on 10 MB with rjieba:
#: joined costs the worker ~0.12 s and the parent ~0.25 s; codes cost the worker
#: ~0.43 s (hashing every fresh token) and the parent ~0.13 s, so "joined" wins.
_PACKING = "joined"


def _worker_loop(
    seg: Segmenter, docs: list[str], chunks: list[tuple[int, int]], front: Any, back: Any,
    lock: Any, conn: Any,
) -> None:
    import queue
    import threading

    # Results go out through a sender thread: a plain conn.send blocks while the
    # pipe is full, i.e. while the calling process is busy cutting its own chunk,
    # and the worker would idle for that long.
    outbox: queue.SimpleQueue = queue.SimpleQueue()

    def sender() -> None:
        while True:
            msg = outbox.get()
            try:
                conn.send(msg)
            except Exception:  # noqa: BLE001 - the parent is gone; nothing to report to
                return
            if msg is None or isinstance(msg, BaseException):
                return

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()
    try:
        while True:
            with lock:
                if front.value >= back.value:
                    break
                i = front.value
                front.value += 1
            lo, hi = chunks[i]
            outbox.put((i, _pack([seg.cut(t) for t in docs[lo:hi]], docs[lo:hi])))
        outbox.put(None)
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        outbox.put(TextError(f"cut_many worker failed: {type(exc).__name__}: {exc}"))
    finally:
        thread.join()
        conn.close()


def _pack(results: list[list[str]], texts: list[str]) -> Any:
    if _PACKING == "codes":
        import numpy as np

        flat = list(chain.from_iterable(results))
        codes, uniques = pd.factorize(np.array(flat, dtype=object), sort=False)
        lengths = np.fromiter(map(len, results), dtype=np.int64, count=len(results))
        return ("codes", uniques.tolist(), codes.astype(np.int32), lengths)
    # one joined string pickles far faster than millions of small ones
    if any(_SEP_DOC in t or _SEP_TOK in t for t in texts):
        return results
    return _SEP_DOC.join(_SEP_TOK.join(toks) for toks in results)


def _unpack(packed: Any, n: int) -> list[list[str]]:
    if isinstance(packed, list):
        return packed
    if isinstance(packed, tuple):
        import numpy as np

        _kind, uniques, codes, lengths = packed
        vocab = np.empty(len(uniques), dtype=object)
        vocab[:] = uniques
        tokens = vocab[codes]
        bounds = np.concatenate(([0], np.cumsum(lengths)))
        return [tokens[bounds[i] : bounds[i + 1]].tolist() for i in range(len(lengths))]
    docs = packed.split(_SEP_DOC) if n else []
    return [d.split(_SEP_TOK) if d else [] for d in docs]
