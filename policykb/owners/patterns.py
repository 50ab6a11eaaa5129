"""The patterns owner extraction reads: the words that name a lead, a partner, a label, a deadline or a task table's
columns, in English and in Vietnamese written without diacritics (they run on folded text)."""

import re

# Patterns run on folded, lower-cased text of the same length (so "chủ trì" is "chu tri").
LEAD_AFTER = re.compile(  # the lead is named right after these words
    r"\b(?:led by|leading by|under the (?:leadership|lead|direction|coordination) of|chaired by|headed by|coordinated by|"
    r"(?:co-)?organi[sz]ed by|(?:drafted|developed|prepared|finali[sz]ed|implemented|carried out|conducted) by|"
    r"(?:will|shall|must|should|is to|are to) be \w+ed by|"
    r"assigns? (?:duties|tasks|responsibilit(?:y|ies)) to|assigned to|tasks?|"
    # Vietnamese words that hand a name something or ask something of it: a task only when a verb of duty follows the
    # name ("giao Bộ Tài chính chủ trì …"), not when a thing is handed over or a right exercised.
    r"(?P<hands_over>giao(?: cho)?|yeu cau|de nghi)|"
    r"urg(?:e|es|ed)|(?:request|ask|instruct|direct)(?:s|ed)?|call(?:s|ed)? (?:on|upon))\s+(?:the\s+)?"
)
# Between a subject and its verb: "(SAD)", "là cơ quan thường trực,", "căn cứ chức năng, nhiệm vụ được giao,", "also".
# Words between a subject and its verb that say when or how, not what: "đã" marks what a body did ("Bộ Y tế đã tổ chức
# …"), as "successfully" does in English reports.
_ADVERBS = r"(?:(?:also|jointly|further|then|now|successfully|cung|tiep tuc|se|da)\s+)*"
SUBJECT_GAP = (
    r"\s*(?:\([^)]{1,40}\)\s*)?,?\s*(?:la co quan [^,]{1,30},\s*)?(?:(?:can cu|trong pham vi|within) [^,]{1,40}(?:, [^,]{1,30})?,?\s*)?"
    r"(?:co tham quyen\s+|duoc yeu cau\s+)?"  # "Cơ quan nhà nước có thẩm quyền phải …": who the body is, not what it does
    + _ADVERBS
)
# The same words where a task's text starts: "(UN-Habitat) successfully developed …" is the task "developed …".
NAME_AND_ADVERBS = re.compile(r"\s*(?:\([^)]{1,40}\)\s*)?" + _ADVERBS)
STRONG_VERB = re.compile(
    SUBJECT_GAP
    + (  # the subject owns the task, whatever follows
        r"(?:will |shall |must |should |is to |are to |to )?(?:chu tri|co trach nhiem|chiu trach nhiem|duoc giao|takes? the lead|leads?\b|"
        r"la co quan (?:dau moi |chu tri |chuyen trach )?(?:giup|tham muu)|thong nhat quan ly|thuc hien quan ly nha nuoc|"
        r"quy dinh\b|huong dan thi hanh|"
        r"(?:is|are|was|were|will be|shall be|remains?) (?:responsible|in charge|the lead)|(?:has|have) been tasked|(?:is|are) tasked|"
        r"must\b|shall\b|(?:is|are) to\b|phai\b)"
    )
)
WEAK_VERB = re.compile(
    SUBJECT_GAP
    + (  # the subject does the task, unless the sentence says it only helps
        r"(?:will\b|should\b|aims? to\b|plans? to\b|needs? to\b|(?:has|have) to\b|(?:is|are) expected to\b|"
        r"(?:co-)?organi[sz]ed\b|finali[sz]ed\b|developed\b|drafted\b|prepared\b|launched\b|commit(?:s|ted|ed)\b|contribut(?:es|ed) to\b|"
        # What a report says a body did: a narrative fact is a task of its own ("the JPG brokered exchanges").
        r"(?:conducted|carried out|hosted|convened|brokered|consolidated|implemented|established|set up|undertook|"
        r"facilitated|mobili[sz]ed|maximi[sz]ed|made|proposed|proposes)\b|"
        r"(?:xay dung|trien khai|huong dan|to chuc|bo tri|bao dam|dam bao|can doi|theo doi|tong hop|bao cao|nghien cuu|"
        r"de xuat|ra soat|sua doi|hoan thien|ban hanh|chi dao|kiem tra|phat trien|van dong|tuyen truyen|thuc hien|ket noi|tham muu|"
        r"quan ly|giam sat|thanh tra|phe duyet|quyet dinh|ra quyet dinh|thong ke|huong dan|giup|cap giay|thanh lap)\b)"
    )
)
OF_PARENT = re.compile(
    r"\s*(?:\([^)]{1,40}\)\s*)?(?:of|cua|thuoc)\s+(?:the\s+)?"
)  # "Social Assistance Department (SAD) of MOLISA"
SUPPORT_AFTER = re.compile(
    r"\b(?:in (?:close )?(?:coordination|cooperation|collaboration|partnership) with|coordinat(?:e|es|ing) with|"
    r"with (?:the )?(?:technical )?support (?:of|from)|supported by|phoi hop voi|phoi hop cung)\s+(?:the\s+)?"
)
SUPPORT_CLAUSE = re.compile(  # "the ILO in collaboration with MOLISA organized …": the subject still leads
    r",?\s*(?:in (?:close )?(?:coordination|cooperation|collaboration|partnership) with|phoi hop voi|phoi hop cung)\s+(?:the\s+)?"
)
# "The ILO supported MOLISA to …", "assist MOLISA in …": the helped agency does the task, the helper coordinates.
HELPS = re.compile(r"(?<!with )(?<!with the )\b(?:supports?|supported|assists?|assisted|helps?|helped)\s+(?:the\s+)?")
ESPECIALLY = re.compile(r",?\s*(?:especially|in particular|particularly|notably|nhat la|dac biet la)\s+(?:the\s+)?")
HELPED_TASK = re.compile(r"\s*,?\s*(?:to|in|with|trong)\b")
PRONOUN = re.compile(
    r"(?P<pronoun>they|it)\s+(?:also\s+)?(?:will|must|shall|should|needs?|ha(?:s|ve) to|is to|are to|(?:is|are) expected to)\b"
)
LABEL = re.compile(
    r"(?:\d{1,2}\.\s*)?(?:(?P<lead>(?:coordinating|lead|leading|implementing|responsible|executing|focal|presiding) "
    r"(?:agency|agencies|ministry|body|unit|organi[sz]ation)|co quan chu tri|don vi chu tri|chu tri)"
    r"|(?P<support>(?:supporting|cooperating|partner|collaborating) (?:agenc(?:y|ies)|organi[sz]ations?)|potential partners|"
    r"co quan phoi hop|don vi phoi hop|phoi hop)"
    r"|(?P<deadline>deadline|completion (?:time|date)|time ?frame|implementing duration|duration|thoi han(?: hoan thanh)?|"
    r"thoi gian hoan thanh|thoi gian thuc hien))\s*:\s*"
)
TASK_LINE = re.compile(
    r"(?:\d{1,2}\.\s*)?(?:task|activity|pilot|action|output|nhiem vu|hoat dong|noi dung)\s*\d{0,2}[a-z]?\s*[:.]\s*"
)
MONTHS = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
DEADLINE = re.compile(
    r"(?:\bby |\bbefore |\bno later than |\buntil |\btruoc |\btrong |\bhoan thanh (?:trong |truoc )?|"
    r"\bthoi han(?: hoan thanh)?\s*:\s*|\bdeadline\s*:\s*)"
    r"(?:nam |ngay )?((?:the )?(?:end of |(?:first|second) half of )?"
    r"(?:\d{1,2} thang \d{1,2} nam |\d{1,2}/\d{1,2}/|thang \d{1,2}\s*(?:/|nam)\s*|q(?:uy)?\s*[ivx1-4]+\s*(?:/|nam)\s*|"
    rf"{MONTHS} (?:\d{{1,2}},? )?)?(?:19|20)\d\d)\b"
)
TABLE_HEADS = {
    "task": re.compile(r"^(?:task|tasks|nhiem vu|noi dung|activity|activities|cong viec)"),
    "lead": re.compile(
        r"^(?:lead|responsible agency|implementing agency|co quan chu tri|chu tri|don vi chu tri|co quan thuc hien|don vi thuc hien)"
    ),
    "coordinating": re.compile(r"^(?:coordinating|supporting|co quan phoi hop|phoi hop|don vi phoi hop)"),
    "deadline": re.compile(r"^(?:deadline|completion|thoi han|thoi gian)"),
}
SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
BULLET = re.compile(r"[-–•*+·▪►]\s*")

# A name right after these words is their object, not the clause's subject: "giúp Chính phủ", "trước Chính phủ",
# "do Chính phủ ban hành", "theo quy định của Chính phủ", "responsible to the Government".
OBJECT_BEFORE = re.compile(
    r"\b(?:do|boi|duoc|giup|truoc|cua|voi|cho|tai|theo|thuoc|den|ve|trong|doi voi|o|of|by|with|for|to|before|from|under|"
    r"within|at|on)\s+(?:the\s+)?(?:(?:chinh quyen|co quan|chu tich|bo truong|thu truong|lanh dao)\s+)?$"
)
# Where the words of a legal text that state its owner's duty end and the duty itself begins.
DUTY_VERB = re.compile(
    r"[\s,]*(?:(?:la co quan (?:dau moi |chu tri |chuyen trach )?(?:giup|tham muu cho) \w+(?: \w+)?|"
    r"chiu trach nhiem truoc \w+(?: \w+)?|co trach nhiem|chiu trach nhiem|duoc giao|chu tri(?:,\s*| va )?|"
    r"(?:shall|must|will|should)(?: be responsible (?:to the \w+ )?for| take the lead in)?|"
    r"(?:is|are) (?:responsible|tasked|assigned) (?:for|with|to)|takes? the lead in|thuc hien|trong pham vi [^,]{1,40}(?:, [^,]{1,30})?,)\s*)+"
)
# The kinds of duty (models.ASSIGNMENT_KINDS) other than leading a task, by the words that state them. Rule-making is
# the detailed rules a law leaves to a body ("Chính phủ quy định chi tiết Điều này"); issuing legal documents within
# a ministry's own remit is one of its tasks.
# "thực hiện quản lý nhà nước về …"; in English only where the text gives it ("shall perform state management of …"):
# "the state management apparatus" is a subject, not a duty.
STATE_MANAGEMENT = re.compile(
    r"\bquan ly nha nuoc\b|\b(?:perform|exercise|carry out|responsible for|uniformly manage)s?\s+(?:the\s+)?state management\b"
)
_RULE_MAKING = r"(?:^|\s)(?:to )?(?:quy dinh(?! cua| tai)|provide detailed regulations|details? (?:this|the)|prescribe)"
KINDS = (
    ("rule_making", re.compile(_RULE_MAKING)),
    ("state_management", STATE_MANAGEMENT),
    ("guidance", re.compile(r"^(?:to )?(?:huong dan|guide|provide guidance)\b")),
    (
        "coordinate",
        re.compile(r"^(?:to )?(?:phoi hop|tham gia|ho tro|coordinate|cooperate|assist|support|participate)\b"),
    ),
)
# A legal text's article heading and the duty headings that make the article's body the named body's tasks:
# "Điều 46. Trách nhiệm của Bộ Công an", "Article 20. Duties and powers of the Ministry of Justice".
ARTICLE = re.compile(r"(?:dieu|article)\s+\d+[a-z]?\s*[.:]\s*")
DUTY_HEADING = re.compile(
    r"(?:trach nhiem|nhiem vu(?:,? (?:va )?quyen han)?|(?:responsibilities|duties|tasks)(?: and (?:powers|duties))?)"
    r"(?: quan ly nha nuoc)?\s+(?:cua|of)\s+(?:the\s+)?"
)
# The clause that opens a list of its subject's duties: "X có trách nhiệm sau đây:", "X shall have the following tasks:".
LIST_INTRO = re.compile(
    r"(?:trach nhiem|nhiem vu(?:,? (?:va )?quyen han)?|quyen han)(?:\s+(?:sau(?: day)?|nhu sau))?\s*:\s*$|"
    r"(?:following (?:responsibilities|duties|tasks|powers)(?: and (?:powers|duties|tasks))?|(?:shall|must))\s*:\s*$"
)
ITEM_MARKERS = (
    ("clause", re.compile(r"\d{1,2}\.\s+")),
    ("point", re.compile(r"[a-zđ]\)\s+")),
    ("paren", re.compile(r"\([a-z]\)\s+")),
    ("bullet", BULLET),
)
# A passive agent that does the deciding: "Cơ sở … do Chủ tịch Ủy ban nhân dân cấp tỉnh quyết định thành lập"; not a
# form or list that a body has issued, which a clause only refers to ("theo mẫu do Bộ trưởng … quy định").
PASSIVE_AGENT = re.compile(
    r"(?<!mau )(?<!danh muc )(?<!quy dinh )\bdo\s+(?:(?:bo truong|chu tich|thu truong|chanh an|vien truong|thong doc)\s+)?$"
)
PASSIVE_VERB = re.compile(r"\s*(?:quyet dinh|quy dinh|chi dinh|phe duyet|cu)\b")
