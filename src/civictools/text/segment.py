"""Segmentation, sentences and text exploration: the public API of this part of ``civictools.text``.

The work is split over one-job modules; this module re-exports them.
"""

from civictools.text.explore import (
    KWIC,
    collocations,
    keyness,
    keywords,
    kwic,
    ngrams,
    term_frequencies,
)
from civictools.text.segmenter import DEFAULT_HMM, ENGINES, Segmenter, segmenter_cache_dir
from civictools.text.sentences import (
    paragraph_spans,
    sentence_spans,
    split_paragraphs,
    split_sentences,
)

__all__: list[str] = [
    "Segmenter",
    "DEFAULT_HMM",
    "segmenter_cache_dir",
    "sentence_spans",
    "split_sentences",
    "paragraph_spans",
    "split_paragraphs",
    "term_frequencies",
    "keywords",
    "kwic",
    "KWIC",
    "ngrams",
    "collocations",
    "keyness",
]
