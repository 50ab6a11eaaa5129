"""Every weight and threshold of ranking, each with the reason for its value; the measurements behind them are in
docs/BENCHMARKS.md."""

# --- BM25 ---------------------------------------------------------------------------------------------------------
# FTS5's own bm25() constants (ext/fts5/fts5_aux.c): the term matrix must give FTS5's scores to the last digits.
K1, B = 1.2, 0.75
IDF_FLOOR = 1e-6  # FTS5's idf of a word in half the rows or more, where log((N - n + 0.5) / (n + 0.5)) is not above 0
# Column weights of a passage (title, section breadcrumb, body): every passage of a document carries its title, so the
# title says little about which of them answers.
FTS_WEIGHTS = (0.3, 1.0, 1.0)
# The weights a document is ranked with (by its best passage): a title that says what was asked counts more for the
# document than for telling its passages apart.
DOCUMENT_WEIGHTS = (2.0, 1.0, 1.0)
# Whole documents (documents_fts: title, text): the title counts double, as in DOCUMENT_WEIGHTS.
WHOLE_DOCUMENT_WEIGHTS = (2.0, 1.0)
# From this many documents, hybrid search ranks documents by BM25 over their whole text: over fewer, a document
# frequency says little (of five documents, a word in three has no weight at all, BM25's floor, and a word one document
# happens to hold outweighs the query's subject), so the passages' ranking with DOCUMENT_WEIGHTS is used instead.
WHOLE_DOCUMENTS_FROM = 100

# --- Candidates ---------------------------------------------------------------------------------------------------
# The least depth each ranker is asked for (deeper pages ask for k × page × 2): fusion can only lift a passage some
# ranker found, and a passage below this in every ranking rarely belongs on the first pages.
CANDIDATES = 100

# --- Fusion (convex: weight × score / best score of each ranking) ---------------------------------------------------
DENSE_WEIGHT = 0.5  # the share of the dense score in hybrid search: meaning and words count alike for questions
DENSE_WEIGHT_SHORT = 0.3  # short or identifier-like queries lean on exact words, which BM25 weighs and embeddings blur
SHORT_QUERY_TERMS = 2  # a query of this many content words or fewer is short (see QueryPlan.keyword_like)
# Passages of documents that cite an asked-for document number get as much as BM25 and the embedder together can
# give, which puts them first.
REFERENCE_WEIGHT = 1.0
# A Vietnamese query's words are mostly two syllables: BM25 over its adjacent syllable pairs ("bao hiem") shares the
# keyword score equally with BM25 over single syllables, which alone match syllables scattered through a passage.
SYLLABLE_PAIR_WEIGHT = 0.5
# Where Vietnamese passages match those pairs, the English-trained embedder only breaks ties.
DENSE_WEIGHT_VIETNAMESE = 0.05
# Within a document, passages that score alike (within this much) are told apart by the share of the query's word
# pairs they hold as written; small enough that documents keep their order and clearly better passages stay first.
WORD_PAIR_WEIGHT = 0.075
# An English query's similarity to a Vietnamese passage (or a Vietnamese query's to an English one) says little with an
# English-only embedder: across languages its share is as small as where Vietnamese syllable pairs match; the
# glossary's names in the passage's language carry the match.
DENSE_WEIGHT_ACROSS_LANGUAGES = DENSE_WEIGHT_VIETNAMESE
RRF_K = 60  # reciprocal rank fusion's constant (Cormack et al., 2009): damps the lead of the first few ranks
# Names one glossary entry adds to a query's keyword search, and names all entries add together: a legal term has many
# written forms, and a question naming several would otherwise search dozens of phrases, each as costly as a word.
EXPANSIONS_PER_ENTRY = 6
EXPANSIONS_PER_QUERY = 24
DENSE_EXPANSIONS = 6  # glossary names added to the text the embedder reads: more would drown the question itself

# --- Shaping the results ------------------------------------------------------------------------------------------
NEAR_DUPLICATE = (
    0.8  # word-shingle overlap (Jaccard) from which a passage says what one above it said: only the first shows
)
