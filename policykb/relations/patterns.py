"""The words that state a relation, in Vietnamese and English, each kind's in one place.

A pattern only finds the verb; policykb.relations.extract then asks for a document named right after it (the target)
and a subject right before it (another document's mention, "Nghị định này", or nothing but a list number or
"ban hành Nghị định …", meaning the document itself). Without both the words state nothing: a wrong "replaces" is
worse than a missing one.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", _I)


# Active verbs: SUBJECT <verb> [articles of] TARGET.
ACTIVE = {
    "amends": _words(
        r"sửa đổi,?\s+bổ sung|sửa đổi|amending(?:\s+and\s+supplementing)?|amends?(?:\s+and\s+supplements?)?"
        r"|to\s+amend(?:\s+and\s+supplement)?|amendments?(?:\s+and\s+supplements?)?\s+to"  # a heading's noun
    ),
    "guides": _words(
        r"quy định chi tiết(?:\s+và\s+hướng dẫn thi hành)?|hướng dẫn(?: thi hành| thực hiện| chi tiết)?"
        r"|detailing|details|elaborat(?:es|ing)|guid(?:es|ing|ed)|provid(?:es|ing) guidance on"
        r"|(?:provid(?:es|ing)\s+)?(?:detailed regulations|guidelines?) (?:on|for)"
    ),
    "replaces": _words(r"thay thế(?:\s+cho)?|replac(?:e|es|ing)|supersed(?:e|es|ing)|in replacement of"),
    "repeals": _words(r"bãi bỏ|repeal(?:s|ing)?|annul(?:s|ling)?|abolish(?:es|ing)?"),
}

# The articles a relation concerns, as the gap names them.
ARTICLES = re.compile(
    r"(?:(?:điểm\s+[a-zđ]\s+)?khoản\s+\d+\s+)?Điều\s+\d+[a-z]?"
    r"|(?:Clause\s+\d+\s+(?:of\s+)?)?Articles?\s+\d+[a-z]?(?:\s*(?:,|and|to)\s*\d+[a-z]?)*"
    r"|mục\s+\d+(?:\s+thuộc\s+Phụ lục\s+[IVXLC\d]+)?",
)

# A list of articles ("khoản 3 Điều 24, Điều 25 và …"), and a list number or letter opening a clause ("2.", "b)").
ARTICLE_LIST = rf"(?:(?:{ARTICLES.pattern})(?:,\s*|\s+và\s+|\s+and\s+)?)+"
LIST_NUMBER = r"(?:(?:\d{1,3}|[a-zđ])[.)]\s*)*"

# Between the verb and the target: the articles concerned and "của" / "of", or the articles alone ("Bãi bỏ điểm c
# khoản 2 Điều 1 Nghị quyết số …"), or nothing.
TARGET_GAP = re.compile(
    r"\s*(?:toàn bộ\s+|the\s+)?(?:[^;.:\n]{0,160}?\s+(?:của|tại|thuộc|kèm theo|of|to|in)\s+(?:the\s+)?"
    rf"|{ARTICLE_LIST}\s+)?",
    _I,
)

# A part of a document: replacing one amends the document.
PART = _words(
    r"phụ lục|điều|khoản|điểm|mục|cụm từ|từ ngữ|biểu mẫu|mẫu số|annex(?:es)?|appendix|appendices|articles?|clauses?"
    r"|points?|phrases?|words?|forms?"
)

# Implementing: a plan or programme (named before the verb) carrying out TARGET.
IMPLEMENTS = _words(r"thực hiện|triển khai thực hiện|implementing|implementation of|to implement|implements")
# A directive's title or purpose: "Về việc tổ chức thi hành Luật …", "Để triển khai thực hiện Nghị quyết số …, Thủ
# tướng Chính phủ chỉ thị:", "On the implementation of …", "In order to implement …, the Prime Minister instructs:".
IMPLEMENTS_TITLE = re.compile(
    r"[ \t]*Về việc\s+(?:tổ chức\s+|triển khai\s+)?(?:thi hành|thực hiện)\s+"
    r"|[ \t]*On\s+(?:organizing\s+)?the\s+implementation\s+of\s+(?:the\s+)?",
    _I,
)
IMPLEMENTS_PURPOSE = re.compile(
    r"\s*(?:Để|In\s+order\s+to|To)\s+(?:tổ chức\s+|triển khai\s+|organize\s+the\s+implementation\s+of\s+)?"
    r"(?:thi hành|thực hiện|implement)\s+(?:the\s+)?",
    _I,
)
DIRECTS = re.compile(r"(?:chỉ thị|yêu cầu|instructs|directs|requests)\s*:\s*$", _I)
PLAN_WORDS = _words(r"kế hoạch|chương trình(?: hành động)?|action plan|plan|programme|program")
NOT_IMPLEMENTS = re.compile(r"hướng dẫn\s+$|tổ chức\s+$", _I)  # "hướng dẫn thực hiện" guides

# Legal basis: a line of the recitals; each clause of it opens with the document it rests on.
BASIS_ITEM_LEAD = re.compile(r"(?:the\s+|các\s+(?:Bộ luật|Luật|Pháp lệnh)\s*:\s*)?", _I)  # "Căn cứ các Luật: …"
BASIS = re.compile(r"(?m)^[ \t]*(?:Căn cứ(?:\s+vào)?|Pursuant to|Based on|In pursuance of)\s+(?:the\s+)?", _I)

# Passive forms: TARGET <is amended by / is replaced by> SOURCE, …
AMENDED_BY = re.compile(
    r"\s*,?\s*(?:(?:which|that)\s+(?:was|were|has\s+been|had\s+been|is)\s+|as\s+|đã\s+được\s+|được\s+)"
    r"(?:sửa đổi,?\s*bổ sung(?:\s+một\s+số\s+điều)?\s+(?:theo|bởi|tại)|amended(?:\s+and\s+supplemented)?\s+by)\s+",
    _I,
)
# A cited document's description, between it and what the text says of it: its date, issuer and subject.
DESCRIPTION = re.compile(r"\s*,?\s*(?:dated|of|on|về|của|ngày|quy định|hướng dẫn)\s[^;:()\n]{0,200}?", _I)
REPLACED_BY = re.compile(
    r"\s*,?\s*(?:is|are|will\s+be|shall\s+be|was|were|has\s+been|được|bị|sẽ\s+được|sẽ\s+bị)\s+"
    r"(?:replaced|superseded|thay thế)\s+(?:by|bởi|bằng)\s+",
    _I,
)
LIST_JOIN = re.compile(r"\s*(?:,|và|and)\s*", _I)

# Ceasing: TARGET … <ceases to be in force>; the document that says it ends it.
ENDS = _words(
    r"hết hiệu lực(?:\s+thi hành)?|(?:bị|được)\s+bãi bỏ"
    r"|(?:is|are|shall\s+be|will\s+be|was|were)\s+(?:hereby\s+)?(?:also\s+)?(?:repealed|annulled|abolished|invalidated|revoked"
    r"|null\s+and\s+void)"
    r"|(?:(?:shall|will)\s+(?:also\s+)?)?(?:also\s+)?ceases?\s+to\s+(?:be\s+in\s+force|have\s+effect|be\s+effective)"
)

# What may stand before the target of an ending: a list number, "Kể từ ngày …,", the articles ended "of" it.
ENDS_LEAD = re.compile(
    rf"\s*{LIST_NUMBER}(?:Kể từ ngày[^,]{{0,80}},\s*"
    rf"|(?P<articles>{ARTICLE_LIST})\s+(?:của|tại|of)\s+)?(?:the\s+)?",
    _I,
)
# What may describe an ended document before its verb: its date, issuer and subject ("… ngày … của Bộ Tài chính, Bộ
# Tư pháp hướng dẫn việc …", "… of the Prime Minister approving the scheme …"), with no other document named.
ENDS_DESCRIPTION = re.compile(
    r"\s*,?\s*(?:của|về|quy định|hướng dẫn|ban hành|of|on|approving|providing|guiding|regulating|detailing)\s"
    r"[^;:\n]{0,300}?\s*",
    _I,
)
# A document ending when this one takes effect: it is replaced, not only repealed ("Nghị định số X … hết hiệu lực kể từ
# ngày Nghị định này có hiệu lực thi hành", "… shall cease to have effect from the effective date of this Law").
CEASES = _words(r"hết hiệu lực|ceases?\s+to\s+(?:be\s+in\s+force|have\s+effect|be\s+effective)")
OWN_EFFECT = re.compile(
    r"(?:kể\s+)?từ\s+ngày\s+(?:\w+\s+){1,4}này\s+có\s+hiệu\s+lực"
    r"|(?:from|as\s+of|on)\s+the\s+(?:effective\s+date|date\s+of\s+entry\s+into\s+force)\s+of\s+this\s+\w+",
    _I,
)

# A list of what ends or is replaced, announced by a clause ending in ":" ("các văn bản sau đây hết hiệu lực:",
# "The following documents are annulled …:", "Nghị định này thay thế các Nghị định sau:"), each item opening with it.
LIST_INTRO = re.compile(r"(?:sau\s+đây|sau|following)(?!\w)", _I)
LIST_ITEM = re.compile(r"[ \t]*(?:[a-zđ]\)|\d{1,2}[.)]|[-–•+])[ \t]*", _I)

# Taking effect: SUBJECT <takes effect> <on DATE | from signing>.
EFFECTIVE = _words(
    r"có hiệu lực(?:\s+thi hành)?|(?:shall\s+|will\s+)?takes?\s+effect|took\s+effect|came\s+into\s+(?:force|effect)|(?:shall\s+|will\s+)?comes?\s+into\s+(?:force|effect)"
    r"|(?:shall\s+)?enters?\s+into\s+force|(?:is|shall\s+be|becomes?)\s+effective"
)
EFFECTIVE_WHEN = re.compile(
    r"\s*(?:kể\s+)?(?:từ|as\s+(?:of|from)|from|on)\s+(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?", _I
)
SIGNING = re.compile(
    r"(?:ngày\s+)?ký(?:\s+ban\s+hành)?(?!\w)|the\s+(?:date\s+of\s+(?:its\s+)?signing|signing\s+date)", _I
)
EXPLICIT_FROM = re.compile(r"\s*,?\s*(?:kể\s+)?(?:từ|as\s+(?:of|from)|from|on|with\s+effect\s+from)\s+", _I)

# What may stand between a subject and its verb: its date and issuer, ", which", an auxiliary.
SUBJECT_GAP = re.compile(
    r"\s*(?:,?\s*(?:của|of)\s+[^,;.()\n]{1,80}?)?"
    r"(?:\s*,\s*(?:which|that|issued|passed|adopted|signed)\s[^,;()\n]{1,100}?,)?"  # ", which took effect on …,"
    r"\s*,?\s*(?:(?:which|that|mà)\s+)?"
    r"(?:(?:will|shall|also|hereby|đã|sẽ|cũng|has|have|had)\s+)*",
    _I,
)
# A cited document's title: its date written in the mention, or its issuer after it ("… của Chính phủ", "of the
# Government"), then what it does; a plan issued or amended by it ("… ban hành Chương trình … thực hiện …").
WRITTEN_DATE = re.compile(r"(?:\d{4}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})\s*$")
# A task to draft or propose a document: what the document would do is not stated of any document.
TASK = _words(
    r"xây dựng|soạn thảo|dự thảo|nghiên cứu|trình(?=\s+(?:Quốc hội|Chính phủ|Thủ tướng))|đề xuất|draft(?:s|ing)?|prepar(?:e|es|ing)|develop(?:s|ing)?"
    r"|submit(?:s|ting)?|propos(?:e|es|ing)"
)
ENGLISH_FINITE = re.compile(r"[a-z]+s(?![a-z])", _I)  # "replaces", "details", "amends and supplements"
ISSUER = re.compile(r"\s*,?\s*(?:của|of)\s", _I)
TITLE_VERB = _words(r"ban hành|phê duyệt|sửa đổi|promulgating|issuing|approving|amending|adopting")
# A sentence's opening document, the subject of a verb further on ("HANOI, 1 July 2025 - The Law … took effect …,
# replacing …"), and what joins that verb to what came before.
TOPIC_LEAD = re.compile(
    r"\s*(?:(?:\d{1,3}|[a-zđ])[.)]\s*|[^.;\n]{0,60}\s[-–—]\s+|(?:Meanwhile|However|In addition|Ngoài ra|Đồng thời),\s*)?"
    r"(?:the\s+)?",
    _I,
)
THEN = re.compile(r"(?:,|\s(?:và|and))\s*$", _I)
# "Thông tư này có hiệu lực … và thay thế …": a second verb of the clause's subject.
COORDINATED = re.compile(r".*(?:,|\s)(?:và|and)\s+$", _I | re.S)
# A clause whose verb is its first word (after a list number or article heading) speaks of the document itself, as
# does "ban hành Nghị định / promulgates a Decree …" before the verb.
CLAUSE_START = re.compile(rf"\s*{LIST_NUMBER}(?:(?:Điều|Article)\s+\d+[a-z]?\.?\s*)?(?:(?:To|Hereby)\s+)?", _I)
SELF_LEAD = re.compile(
    r"(?:ban hành(?:\s+kèm theo)?|promulgates?|issues?)\s+(?:an?\s+|the\s+)?"
    r"(?:Bộ luật|Luật|Pháp lệnh|Nghị định|Nghị quyết|Thông tư|Quyết định|Chỉ thị|Law|Code|Ordinance|Decree|"
    r"Resolution|Circular|Decision|Directive)\s*$",
    _I,
)

# An amending text's own articles: "[Một số điều của] Luật X … được sửa đổi, bổ sung như sau:", "[A number of articles
# of] the Law on X No. … are amended and supplemented as follows:".
AMENDED_HERE = re.compile(
    r"\s*,?\s*(?:(?:đã\s+)?được\s+sửa đổi(?:,?\s*bổ sung)?\s+như\s+sau"
    r"|(?:is|are)\s+(?:hereby\s+)?amended(?:\s+and\s+supplemented)?\s+as\s+follows)",
    _I,
)
AMENDED_LEAD = re.compile(
    rf"\s*{LIST_NUMBER}(?:(?:Một\s+số\s+điều|(?:A\s+number\s+of|Some|Certain)\s+articles"
    rf"|{ARTICLE_LIST})\s+(?:của|tại|of)\s+)?(?:the\s+)?",
    _I,
)
# A word or phrase of another document replaced by another: part of amending that document, not a replacement of it.
PHRASE_REPLACED = re.compile(
    rf"\s*{LIST_NUMBER}(?:the\s+|các\s+)?(?:phrases?|words?|cụm\s+từ|từ)\s+[\"“][^\"”]{{1,200}}[\"”]"
    r"(?:\s*(?:,|and|và)\s*[\"“][^\"”]{1,200}[\"”])*\s+(?:in|at|of|tại|của|trong)\s+(?:the\s+)?"
    rf"(?:{ARTICLE_LIST}\s+(?:of|của|tại)\s+(?:the\s+)?)?",
    _I,
)
PHRASE_VERB = re.compile(r"\s*(?:is|are|được|sẽ\s+được)\s+(?:hereby\s+)?(?:replaced|thay\s+thế)\s+(?:by|bằng)", _I)
# A consolidated text's header: "Nghị định số X …, được sửa đổi, bổ sung bởi:" then one amending document an item.
AMENDED_BY_LIST = re.compile(
    r"(?:đã\s+)?được\s+sửa đổi,?\s*bổ sung\s+(?:bởi|theo)\s*:\s*$"
    r"|(?:(?:which|that)\s+(?:was|were|has\s+been|have\s+been)\s+|as\s+)?amended(?:\s+and\s+supplemented)?\s+by\s*:\s*$",
    _I,
)
# "3. Bãi bỏ khoản 3 Điều 24." in an article amending another document: the articles of that document.
BARE_REPEAL = re.compile(
    rf"\s*{LIST_NUMBER}(?:(?:Bãi bỏ|To\s+repeal|Repeal)\s+(?P<a>[^;:\n]{{1,120}}?)"
    r"|(?P<b>[^;:\n]{1,120}?)\s+(?:bị\s+bãi bỏ|được\s+bãi bỏ|(?:is|are)\s+(?:hereby\s+)?repealed))\s*\.?\s*",
    _I,
)
AMENDING_HEADING = re.compile(
    r"^(?:Điều|Article)\s+\d+[a-z]?\.\s*(?:Sửa đổi|Amend|To\s+amend)[^\n]*", re.IGNORECASE | re.MULTILINE
)
# What the document issues with it (a plan, a regulation) starts at a line "(Ban hành kèm theo Quyết định số …)":
# its tasks ("Sửa đổi, bổ sung Thông tư số …", "draft a decree replacing …") are no relations of the document.
ATTACHMENT = re.compile(
    r"^[ \t]*\((?:Ban hành|Được ban hành)?\s*kèm theo[^)\n]*\)[ \t]*$"
    r"|^[ \t]*\((?:Enclosed|Issued|Promulgated|Attached)\s+(?:together\s+)?with[^)\n]*\)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
