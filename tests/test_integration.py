"""The real model over the bundled corpus: the searches people run, answered with exact citations."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

pytestmark = pytest.mark.integration

PROPOSAL = "000_0b935866529ff4c2"
ILO = "001_b1062dfbbf733c4b"
SEMINAR = "002_629d27a461f4eef1"
JPG = "003_64fe6cf54000ffa1"
RESOLUTION = "004_6608ed9db748e12c"


def _top_docs(searcher, query, n=3, **kwargs):
    return [hit.doc_id for hit in searcher.search(query, **kwargs).hits[:n]]


def test_every_hit_cites_its_exact_passage(real_searcher):
    for query in ("who coordinates the partnership group", "disaster shock responsive social protection", "68/NQ-CP"):
        for mode in ("hybrid", "dense", "keyword"):
            for hit in real_searcher.search(query, mode=mode, k=10).hits:
                document = real_searcher.store.get_document(hit.doc_id)
                assert hit.text == document.text[hit.start : hit.end]


@pytest.mark.parametrize("query", ["68/NQ-CP", "Resolution 68", "NQ 68", "42-NQ/TW"])
def test_document_numbers_rank_the_resolution_first(real_searcher, query):
    assert _top_docs(real_searcher, query, 1) == [RESOLUTION]


@pytest.mark.parametrize(
    "query, doc_id, phrase",
    [
        ("who coordinates the partnership group", PROPOSAL, "Coordinating agency"),
        ("cash support for poor children to go to school", PROPOSAL, "supportive policy in cash for the poor children"),
        ("shock-responsive social protection and natural disasters", ILO, "shock-responsive"),
        ("how many jobs were created in 2013", SEMINAR, "1.5 million jobs"),
        ("UN joint advocacy on socialization of public services", JPG, "socialization"),
        ("voluntary social insurance for farmers and informal workers", RESOLUTION, "voluntary social insurance"),
    ],
)
def test_plain_language_questions_find_the_right_passage(real_searcher, query, doc_id, phrase):
    hits = real_searcher.search(query, k=5).hits
    assert any(hit.doc_id == doc_id and phrase.lower() in hit.text.lower() for hit in hits[:3]), [
        (h.doc_id, h.text[:60]) for h in hits
    ]


def test_a_name_asked_for_leads_with_the_passage_that_names_it_as_written(real_searcher):
    # Every passage of the UN note carries the group's name in its title; the one that names it in its text comes first.
    first = real_searcher.search("UN Social Protection Joint Programming Group 2015", k=5).hits[0]
    assert first.doc_id == JPG and "Joint Programming Group" in first.text, first.text[:120]


def test_vietnamese_query_finds_english_passages(real_searcher):
    hits = real_searcher.search("bảo hiểm thất nghiệp", k=5).hits
    assert any(hit.doc_id == RESOLUTION and "unemployment insurance" in hit.text for hit in hits[:3])
    hits = real_searcher.search("nguoi co cong", k=5).hits
    assert any("meritorious services" in hit.text for hit in hits[:3])


def test_acronym_and_full_name_queries_agree(real_searcher):
    by_acronym = set(_top_docs(real_searcher, "MOLISA social assistance action plan", 5))
    by_name = set(
        _top_docs(real_searcher, "Ministry of Labour, Invalids and Social Affairs social assistance action plan", 5)
    )
    assert ILO in by_acronym and ILO in by_name


def test_breadcrumbs_help_retrieval_of_short_sections(real_searcher):
    hits = real_searcher.search("Government meeting conclusions of the Prime Minister", k=5).hits
    assert any(hit.section.endswith("5. Conclusions of the Prime Minister") for hit in hits[:3])


def test_onnx_int8_embedder_is_exported_into_the_data_folder_and_agrees_with_torch(tmp_path):
    from policykb.search.embedder import ONNX_RECIPE_TAG, OnnxEmbedder, make_embedder, onnx_embedder_name

    texts = [
        "The Government will extend voluntary social insurance to farmers and informal workers.",
        "Bộ Lao động - Thương binh và Xã hội chủ trì, phối hợp với Bộ Tài chính.",
        "7. Coordinating agency: Ministry of Labour, Invalids and Social Affairs",
    ]
    onnx = OnnxEmbedder(tmp_path / "models", quantized=True)
    folder = tmp_path / "models" / "all-MiniLM-L6-v2-onnx"
    assert sorted(path.name for path in folder.iterdir()) == [
        f"model-{ONNX_RECIPE_TAG}-int8.onnx",
        f"model-{ONNX_RECIPE_TAG}.onnx",
    ]
    assert onnx.name == onnx_embedder_name(quantized=True)
    torch_vectors = make_embedder("minilm").embed_documents(texts)
    agreement = (onnx.embed_documents(texts) * torch_vectors).sum(
        axis=1
    )  # texts of different lengths share a padded batch
    assert agreement.min() >= 0.98
    assert abs(float(onnx.embed_query(texts[0]) @ onnx.embed_documents(texts[:1])[0]) - 1.0) < 1e-4
    with ThreadPoolExecutor(4) as pool:  # request threads share the one tokenizer
        side_by_side = list(pool.map(onnx.embed_query, texts * 8))
    alone = [onnx.embed_query(text) for text in texts]
    assert max(float(np.abs(vector - alone[n % len(texts)]).max()) for n, vector in enumerate(side_by_side)) < 1e-6
    fp32 = OnnxEmbedder(tmp_path / "models", quantized=False)  # the optimized fp32 graph is the same function as torch
    assert (fp32.embed_documents(texts) * torch_vectors).sum(axis=1).min() >= 0.9999


def test_queries_embedded_side_by_side_during_a_batch_match_the_model(real_searcher):
    embedder = real_searcher.embedder
    texts = [
        f"{phrase} {n}"
        for n in range(6)
        for phrase in (
            "who leads the social insurance reform for informal workers",
            "Bộ Lao động - Thương binh và Xã hội chủ trì nhóm đối tác",
            "partnership group potential partners World Bank UNDP UNICEF",
        )
    ]
    expected = embedder.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    with ThreadPoolExecutor(4) as pool:
        batch = pool.submit(embedder.embed_documents, texts * 4)  # both cores, while the queries wait or run
        queries = list(pool.map(embedder.embed_query, texts * 3))
        documents = batch.result()
    for position, vector in enumerate(queries):
        assert np.abs(vector - expected[position % len(texts)]).max() < 1e-5
    assert np.abs(documents[: len(texts)] - expected).max() < 1e-5
