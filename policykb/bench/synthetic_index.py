"""A synthetic index of N passages written straight into the store, with clustered random vectors and no model: what
the scale benchmark and the tests of large-collection code paths search."""

from __future__ import annotations

import hashlib
import random
import time

import numpy as np

from policykb.bench.synthetic import ASPECTS, SEED, TITLE_ENDINGS, Vocabulary, document_number, paragraph_extras
from policykb.bench.vectors import ClusteredVectors
from policykb.config import Config
from policykb.ingest.metadata import find_acronyms
from policykb.models import Chunk, Document
from policykb.store import Store

EMBEDDER = "synthetic-clustered-384"  # recorded in the index, so that the real model is never asked for
COMMIT_EVERY_CHUNKS = 50000
SENTENCE_POOL = 50000  # varied corpus sentences that passages are drawn from: varying each anew is the slow part


class PassageWriter:
    """Policy documents of 20–80 numbered sections, one passage each, from a pool of varied corpus sentences."""

    def __init__(self, vocab: Vocabulary, seed: int) -> None:
        self.vocab, self.rng = vocab, random.Random(seed)
        self.pool = [vocab.vary(self.rng.choice(vocab.sentences), self.rng) for _ in range(SENTENCE_POOL)]

    def paragraph(self) -> str:
        rng, vocab = self.rng, self.vocab
        sentences: list[str] = []
        target = rng.randint(250, 600)
        while sum(len(s) + 1 for s in sentences) < target:
            sentences.append(rng.choice(self.pool))
        return " ".join(sentences + paragraph_extras(vocab, rng))

    def document(self, index: int, sections: int) -> Document:
        """Document `index` with `sections` + 1 chunks (the title block, then one per numbered section)."""
        rng, vocab = self.rng, self.vocab
        kind, number = document_number(index)
        title = f"{kind} on {rng.choice(vocab.terms)} {rng.choice(TITLE_ENDINGS)}"
        year = 2015 + index % 10
        blocks = [(f"{title}\nNo. {number}, issued by the {rng.choice(vocab.agencies)}.\n{self.paragraph()}", "")]
        chapter = written = 0
        while written < sections:
            chapter += 1
            heading = f"{chapter}. {rng.choice(vocab.terms).capitalize()}"
            for sub in range(1, min(rng.randint(3, 8), sections - written) + 1):
                aspect = f"{chapter}.{sub}. {rng.choice(ASPECTS)} {rng.choice(vocab.terms)}"
                blocks.append((f"{aspect}\n{self.paragraph()}", f"{title} › {heading} › {aspect}"))
                written += 1
        text, chunks = "", []
        for ordinal, (block, section) in enumerate(blocks):
            start = len(text)
            text += block + "\n\n"
            chunks.append(Chunk(start, start + len(block), block, section, language="en", ordinal=ordinal))
        return Document(
            source=f"/synthetic/{index:07d}.txt",
            text=text,
            content_hash=f"synthetic-{index}",
            title=title,
            doc_type=kind.lower(),
            language="en",
            date=f"{year}-0{1 + index % 9}-15",
            issuer="Government",
            doc_numbers=[number],
            acronyms=find_acronyms(text),  # as ingest records them, so that a new document's are new in the same way
            chunks=chunks,
        )


def write_synthetic_index(config: Config, chunks: int, vocab: Vocabulary, seed: int = SEED) -> dict:
    """Write documents of about `chunks` chunks with clustered vectors through Store.replace_document, many to a commit."""
    writer = PassageWriter(vocab, seed)
    vectors = ClusteredVectors(seed)
    stream = _rows(vectors.batches(chunks))
    started = time.perf_counter()
    with Store(config.db_path) as store:
        store.set_embedder(EMBEDDER, vectors.dim)
        written = index = 0
        while written < chunks:
            with store.transaction():
                goal = min(chunks, written + COMMIT_EVERY_CHUNKS)
                while written < goal:
                    doc = writer.document(index, min(writer.rng.randint(20, 80), max(0, goal - written - 1)))
                    doc.chunks = doc.chunks[: goal - written]
                    hashes = [
                        hashlib.sha256(f"{EMBEDDER}\0{index}\0{c.ordinal}".encode()).hexdigest() for c in doc.chunks
                    ]
                    store.replace_document(
                        f"synthetic-{index:07d}", doc, hashes, np.vstack([next(stream) for _ in doc.chunks])
                    )
                    written += len(doc.chunks)
                    index += 1
    return {"documents": index, "chunks": written, "seconds": time.perf_counter() - started}


def _rows(batches):
    for batch in batches:
        yield from batch
