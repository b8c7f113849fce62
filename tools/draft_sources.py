#!/usr/bin/env python3
"""DRAFTING AID, not the data: propose sources.csv, source_authors.csv and footnote_sources.csv.

The three CSVs in data/ were drafted with this script and then reviewed row by row against
each footnote's printed text; where the heuristics below got a footnote wrong, the reviewed
answer is written into the override tables (EXPLANATORY, SEG, MERGE, BACKREF_TARGET, FIX), so that
a re-run reproduces the reviewed CSVs (at the review, data/ equalled `--out data/`). A later change
to references.csv or to these heuristics needs the same review: diff the draft against data/. Do not treat a re-run as authoritative: diff
its output against data/ and review what changed.

    python3 tools/draft_sources.py            # writes the drafts to /tmp/osa-sources-draft/
    python3 tools/draft_sources.py --out DIR  # elsewhere (e.g. data/ after review)

Standard library only. Reads data/references.csv (footnotes as printed) and data/errata.csv.

How a footnote is read
----------------------
* It is split into citation segments at top-level "; " (not inside quotes, brackets or <…>).
* A segment "Author (note N)." is a back-reference: it links the source of note N's matching
  segment (the one whose authors start the same way), or, where errata.csv records that the
  printed pointer is a slip, the intended note given in POINTER_SLIPS.
* Otherwise the first quoted or *italic* string is the title, what precedes it the authors,
  and what follows it is cut at commas into container, publisher, place, date, pages, URL
  and access date by pattern. Everything taken as text is a verbatim piece of the footnote
  with markdown emphasis removed.
* Identical works (same URL, or same normalised title) in several footnotes become one
  source; the first full citation gives the fields.
"""

from __future__ import annotations

import argparse
import csv
import re
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
}
MONTHS.update({"Jan.": 1, "Feb.": 2, "Aug.": 8, "Sept.": 9, "Oct.": 10, "Nov.": 11, "Dec.": 12})
_MON = "|".join(re.escape(m) for m in sorted(MONTHS, key=len, reverse=True))
DATE_FULL = re.compile(rf"\b(\d{{1,2}}) ({_MON}),? (\d{{4}})\b")
DATE_MONTH = re.compile(rf"\b({_MON}) (\d{{4}})\b")
DATE_YEAR = re.compile(r"(?<![\d/–-])(?<![A-Za-z]\()(19[89]\d|20[0-2]\d)(?![\d/–-])")
ACCESSED = re.compile(rf"accessed (\d{{1,2}} (?:{_MON}),? \d{{4}})")
URL = re.compile(
    r"<{1,2}(?:\[[^\]]*\]\()?(https?://[^\s<>()\]]+(?:\([^\s<>()]*\)[^\s<>()\]]*)*)\)?>{1,2}|(?<![<(\w])(https?://[^\s<>]+?)(?=[.>]?(?:\s|$))"
)
DOI = re.compile(r"<?doi:\s*(?:https://doi\.org/)?(10\.[^\s>]+?)>?(?=[.,;]?(?:\s|$))")
#: A DOI resolver link (doi.org, or the EU Publications Office's data.europa.eu/doi/): the DOI is its path.
DOI_URL = re.compile(r"^https?://(?:dx\.)?(?:doi\.org|data\.europa\.eu/doi)/(10\.\d{4,}/\S+)$")
QUOTED = re.compile(r"“[^”]+”|\"[^\"]+\"|‘[^’]+’|'[^']{6,}'")
ITALIC = re.compile(r"\*([^*]+)\*")
BACKREF = re.compile(r"^(?P<who>.*?),? \(note (?P<n>\d+)\)\.?$")
LEAD = re.compile(r"^(?:See e\.g\.,? |See also |See |and |On [^.;]*? see )")

#: errata.csv rows where a "(note N)" pointer is a slip: footnote -> (printed N, intended N, erratum id)
POINTER_SLIPS = {42: (299, 29, "e18"), 139: (130, 129, "e19"), 164: (130, 129, "e20")}

ORG_WORDS = re.compile(
    r"\b(Commission|Government|Ministry|Group|Council|Court|Bureau|Research|University|Administration|"
    r"Institute|Center|Centre|Daily|News|Website|Observatory|Exchange|House|Office|Congress|Parliament|"
    r"Union|Nations|Department|Hub|Platform|Scholar|Google|Advisory|AG|Laboratory|Project|Agreement|"
    r"Securities|Flagship|Markets|Marketing|Repository|Services|Association|Foundation|Bank|Global|"
    r"Transparency|Policy|Feature|Nokia|Ericsson|Samsung|Huawei|Hikvision|Airbus|Thales|FIWARE|"
    r"TikTok|WeChat|Quectel|BSN|CNIPA|CAC|Openi|Optics\.org|ASML|USAID|Grand View|HEXA-X|REINDEER|"
    r"6G IA|IMT-2030|PLA|RWR|AP News|CBC|Zhongguoyiliaobao|Caribbean|State|Authority|Gov)\b"
)
#: Chinese personal names printed family name first ("Zhou Xiaochuan").
FAMILY_FIRST = {
    "Zhou Xiaochuan",
    "Zhang Tianyuan",
    "Lian Cheng",
    "Zhang Xia",
    "Cao Zhihui",
    "Tang Weizhong",
    "Wen Ning",
    "Xi Jinping",
}
NEWSPAPERS = {
    "Financial Times",
    "Reuters",
    "South China Morning Post",
    "Bloomberg",
    "New York Times",
    "The Guardian",
    "China Daily",
    "Global Times",
    "Politico",
    "BBC",
    "Euronews",
    "Nikkei Asia",
    "Business Korea",
    "Xinhua",
    "People's Daily",
    "CN Stock",
    "Security Infowatch",
    "Coindesk",
    "Axios",
    "Quartz",
    "CBC",
    "Business Wire",
    "Yicai Global",
    "RCR Wireless News",
    "The Register",
    "TechCrunch",
    "Protocol",
    "IPVM",
    "Gasgoo",
    "Economy.pk",
    "IoT Times",
    "Decrypt",
    "Forkast",
    "forkast",
    "Physics World",
    "Semiconductor Engineering",
    "Foreign Policy",
    "Urgent Communications",
    "Electronic Design",
    "Insider Intelligence",
    "China Briefing",
    "Interconnected",
    "The Privacy Advisor",
    "asmag.com",
    "IoT Automotive",
    "War on the Rocks",
    "Brink",
    "Industria",
    "Medium",
    "SFR",
    "Harvard Business Review",
}

FIELDS = [
    "source_id",
    "footnote",
    "type",
    "title",
    "title_translation",
    "container_title",
    "collection_title",
    "number",
    "genre",
    "volume",
    "issue",
    "page",
    "publisher",
    "publisher_place",
    "issued",
    "url",
    "doi",
    "accessed",
    "editors",
    "et_al",
    "note",
    "old_ids",
]

# ----------------------------------------------------------------------------- reviewed overrides
# Footnotes that cite no work (explanatory notes): no source, no link.
EXPLANATORY = {1, 20, 134, 167, 169, 176, 259}

#: footnote -> the citation segments, where splitting at "; " goes wrong or explanatory prose
#: surrounds the citation (the prose is left out; the segments are verbatim pieces of the footnote).
SEG: dict[int, list[str] | None] = {  # the None entries are set below the table
    3: [
        "*Torres Trade Law*, \"BIS's new approach to Identifying 'emerging and foundational technologies'\", "
        "7 January 2022, <<https://www.torrestradelaw.com/posts/BIS%E2%80%99s-New-Approach-to-Identifying-"
        "%E2%80%9CEmerging-and-Foundational-Technologies%E2%80%9D/285>>."
    ],
    61: [
        "HEXA-X, “Deliverable D1.2: Expanded 6G vision, use cases and societal values”, accessed 18 December 2022 at "
        "https://hexa-x.eu/wp-content/uploads/2022/04/Hexa-X_D1.2_Edited.pdf",
        "REINDEER, “Deliverable D1.1: Use case-driven specifications and technical requirements and initial channel "
        "model”, accessed 18 December 2022 at <https://reindeer-project.eu/public-deliverables/>.",
    ],
    120: [
        'Cambridge Centre for Alternative Finance, Bitcoin Mining Map, "Evolution of network hashrate", accessed '
        "5 December 2022 at <https://ccaf.io/cbeci/mining_map>."
    ],
    122: [
        "Working Group on E-CNY Research and Development of the People’s Bank of China, “Progress of Research & "
        "Development of E-CNY in China”, July 2021, accessed 5 December 2022 at "
        "<<http://www.pbc.gov.cn/en/3688110/3688172/4157443/4293696/2021071614584691871.pdf>>."
    ],
    135: None,  # set below: the footnote's citations after "See e.g."
    145: None,
    166: [
        'Carlo Fischione, Sanne van der Lugt and Frans-Paul van der Putten, "AI and IoT Developments in China and the '
        'Relevance for EU Policy: A scoping study", *Digital Power China*, January 2022, pp. 47–64.'
    ],
    170: [
        'Mikael Fallgren et al., "Introduction", in Fallgren et. al. (eds), *Cellular V2X for Connected Automated '
        "Driving*, Hoboken: John Wiley & Sons, 2021, p. 10."
    ],
    177: None,
    188: None,
}

#: (footnote, segment) -> (footnote, segment) of the earlier full citation of the same work, where URL and
#: title do not show it (the same document printed with another URL or another title form).
MERGE = {(25, 1): (7, 1), (49, 1): (11, 1)}

#: (footnote, segment) of a merged repeat -> what it prints differently from the full citation it repeats
#: (replaces the drafted "printed here with <field> <value>", which names only url/doi/dates).
REPEAT_DIFF = {
    (25, 1): "printed here with the title 'Strategic dependencies and capacities' (without 'Commission Staff "
    "Working Document:'), 'Commission Staff Working Document' after the number, no '(2021)' after it, and the "
    "url https://www.eu.dk/samling/20211/kommissionsforslag/kom(2021)0350/forslag/1779363/2388551.pdf",
    (49, 1): "printed here as 'SWD(2021) 350 final' (footnote 11: 'COM (2021) 350 final'; a slip, errata.csv "
    "e52), with the title 'Updating the 2020 New Industrial Strategy: Building a Stronger Single Market for "
    "Europe's recovery' (without 'Communication from the Commission to …'), the date '2021' (footnote 11: "
    "'5 May 2021') and the url https://ec.europa.eu/info/sites/default/files/communication-industrial-"
    "strategy-update-2020_en.pdf; formerly the separate work european2021updating (see old_ids)",
    (50, 1): "printed here with the publisher 'CSIS' (footnote 15: 'Center for Strategic and International "
    "Studies, Washington, DC')",
    (104, 1): "printed here with the authors 'Regina Abrami et al.' (footnote 2 names all three: 'Regina M. "
    "Abrami, William C. Kirby and F. Warren McFarlan'), the title in title case 'Why China Can't Innovate' "
    "(footnote 2: 'Why China can't innovate') and 'accessed 28 November 2022, at' (accessed 2022-11-28)",
    (118, 1): "printed here after 'On the nexus of the digital yuan and blockchain technologies see', with the "
    "date '1 August 2022' (footnote 84: '2022'; issued 2022-08-01) and only 'Journal of' in italics",
    (207, 1): "printed here with no author (footnote 80: 'Central Commission for Cybersecurity and "
    "Informatization'), without the Chinese title, the translation's title 'Translation: 14th Five-Year Plan "
    "for National Informatization' with 'Year' capitalised (footnote 80: 'Five-year'), the date 'December "
    "2021' (footnote 80: 'Dec. 2021', inside the brackets) and no access date (footnote 80: 'accessed 28 "
    "November 2022')",
    (227, 1): "printed here with 'et al.' (footnote 195: 'et. al.')",
}

#: (footnote, segment) of a back-reference -> segment of the pointed-to note it links (where the note cites several).
BACKREF_TARGET = {(178, 1): 2}

L = str  # a literal (organisation) name
#: (footnote, segment) -> reviewed field values replacing the draft's.
FIX: dict[tuple[int, int], dict] = {
    (2, 1): dict(type="article-magazine"),
    (3, 1): dict(
        type="post-weblog",
        title="BIS's new approach to Identifying 'emerging and foundational technologies'",
        container_title="Torres Trade Law",
        authors=[],
        publisher="",
    ),
    (4, 1): dict(publisher="Belfer Center for Science and International Relations", publisher_place="Cambridge, MA"),
    (5, 1): dict(publisher="Digital Power China", publisher_place="Berlin"),
    (6, 1): dict(type="report", publisher="", note="no publication date: printed '[n.d.]'"),
    (7, 1): dict(
        type="report",
        publisher="",
        number="SWD(2021) 352 final",
        issued="2021-05-05",
        note="printed with '(2021)' after the document number and the date 5 May 2021; footnote 25 cites "
        "the same document (SWD(2021) 352 final) at another URL",
    ),
    (8, 1): dict(
        publisher="European Commission Directorate-General for Internal Market, Industry, Entrepreneurship and SMEs",
        publisher_place="Brussels",
    ),
    (9, 1): dict(publisher="European Commission, Joint Research Centre"),
    (11, 1): dict(
        type="report",
        publisher="",
        number="COM (2021) 350 final",
        issued="2021-05-05",
        note="footnote 49 cites the same Communication as 'SWD(2021) 350 final' (a slip, errata.csv e52) at "
        "another URL",
        old_ids="european2021updating",
        title="Communication from the Commission to the European Parliament, the Council, the European Economic "
        "and Social Committee and the Committee of the Regions. Updating the 2020 New Industrial Strategy: "
        "Building a stronger Single market for Europe's recovery",
    ),
    (11, 2): dict(publisher="European Commission, Joint Research Centre"),
    (13, 1): dict(type="article-magazine"),
    (14, 1): dict(type="article-magazine", authors=[], container_title="Optics.org"),
    (15, 1): dict(
        publisher_place="Washington, DC",
        type="post-weblog",
        container_title="",
        publisher="Center for Strategic and International Studies",
    ),
    (16, 1): dict(type="report", container_title="", publisher="Stiftung Neue Verantwortung", genre="Policy Brief"),
    (17, 1): dict(type="report"),
    (18, 1): dict(
        type="speech",
        authors=[("Kleinhans", "Jan-Peter")],
        title="Testimony before the US–China Economic and Security Review Commission",
        genre="Hearing on US–China Competition in Global Supply Chains",
        publisher="US Congress",
        note="testimony; printed with 'Stiftung Neue Verantwortung' (the author's institute) after the hearing",
    ),
    (19, 1): dict(
        collection_title="UI Brief",
        number="1/2021",
        publisher="Swedish Institute of International Affairs",
        publisher_place="Stockholm",
    ),
    (21, 1): dict(type="report"),
    (22, 1): dict(
        type="article-newspaper",
        title_translation="Swiss authorities rely on Chinese security cameras",
        container_title="SFR",
        publisher="",
        note="outlet printed 'SFR' for SRF (errata.csv e23)",
    ),
    (23, 1): dict(
        type="legislation",
        authors=[L("Cyber Administration of China")],
        publisher="",
        title_translation="Notice of the Ministry of Industry and Information Technology, the State Internet "
        "Information Office, and the Ministry of Public Security on Issuing the Regulations "
        "on the Administration of Network Product Security Vulnerabilities",
    ),
    (24, 1): dict(type="article-magazine"),
    (26, 1): dict(type="report", container_title="", publisher="Stiftung Neue Verantwortung"),
    (27, 1): dict(type="article-magazine"),
    (29, 1): dict(
        type="regulation",
        authors=[L("US Industry and Security Bureau")],
        publisher="US Government",
        container_title="",
        note="printed 'US Government, US Industry and Security Bureau'; a Federal Register rule",
    ),
    (30, 1): dict(publisher="MERICS and SNV", genre="Policy Brief"),
    (34, 1): dict(publisher="NUS Press"),
    (35, 1): dict(type="webpage"),
    (38, 1): dict(type="article-newspaper"),
    (39, 1): dict(type="speech", note="transcript of a conversation"),
    (43, 1): dict(type="article-magazine"),
    (44, 1): dict(type="article-magazine"),
    (45, 1): dict(type="report", container_title="", publisher="Stiftung Neue Verantwortung"),
    (47, 1): dict(
        type="report",
        container_title="",
        publisher="MERICs",
        note="URL printed with the domain 'meric.org' (errata.csv e22)",
    ),
    (52, 1): dict(type="report"),
    (54, 1): dict(note="the URL's path has 2020/11/30; the date is given as printed (errata.csv e53)"),
    (56, 1): dict(
        type="document",
        authors=[L("National Development and Reform Commission")],
        title_translation="The Fourteenth Five-Year Plan for the National Economic and Social Development of "
        "the People’s Republic of China and Outline of Long-term Goals for 2035",
    ),
    (58, 1): dict(
        type="document",
        authors=[L("Central Commission for Cybersecurity and Informatization")],
        title="“十四五”国家信息化规划",
        title_translation="14th Five-Year Plan for national Informatization",
        publisher="Chinese State Council",
        note="printed '(in Chinese)'",
    ),
    (59, 1): dict(authors=[L("University of Oulu"), L("6G Flagship")]),
    (61, 1): dict(type="report"),
    (61, 2): dict(
        type="report",
        authors=[L("REINDEER")],
        title="Deliverable D1.1: Use case-driven specifications and technical requirements and initial channel model",
    ),
    (62, 1): dict(type="report"),
    (63, 2): dict(type="report"),  # a white paper (PDF), as Huawei's (63, 4)
    (63, 4): dict(type="report"),
    (64, 1): dict(
        type="paper-conference",
        publisher="",
        issued="2021",
        container_title="2021 IEEE 32nd Annual International Symposium on Personal, Indoor and Mobile Radio "
        "Communications (PIMRC)",
        note="year as printed in the conference's name",
    ),
    (67, 1): dict(type="report", container_title="", publisher="Zenodo", doi="10.5281/zenodo.6557534"),
    (69, 1): dict(type="article-magazine"),
    (71, 1): dict(publisher="Digital Power China", publisher_place="Berlin"),
    (72, 1): dict(
        type="chapter",
        container_title="China's Digital Power: Assessing the Implications for the EU",
        editors="Tim Rühlig",
        eds=[("Rühlig", "Tim")],
        publisher="Digital Power China",
        publisher_place="Berlin",
    ),
    (73, 1): dict(
        type="article-newspaper",
        authors=[L("PLA Daily")],
        title_translation="Intelligence Brings New Changes to Warfare",
    ),
    (73, 2): dict(
        type="webpage",
        publisher="Chinese Ministry of Defense",
        title_translation="Military Higher Education in the Age of Intelligent Warfare",
        note="URL printed without its opening '<'",
    ),
    (73, 3): dict(type="article-newspaper", title_translation="When 6G is used in future operations"),
    (76, 1): dict(
        type="webpage",
        publisher="",
        container_title="CCID",
        title_translation="6G communication technology patent development status report released: China's "
        "application has ranked first",
    ),
    (77, 1): dict(type="document", note="a letter"),
    (80, 1): dict(
        type="document",
        authors=[L("Central Commission for Cybersecurity and Informatization")],
        title="“十四五”国家信息化规划",
        container_title="DigiChina",
        publisher="",
        title_translation="Translation: 14th Five-year Plan for National Informatization, Dec. 2021",
        note="DigiChina's translation page; footnote 58 cites the Chinese original (another URL)",
    ),
    (80, 2): dict(
        type="document",
        authors=[L("National Development and Reform Commission")],
        title="“十四五”推进国家政务信息化规划",
        container_title="Gov. cn",
        publisher="",
        title_translation="14th Five-Year Plan to Advance the Informatization of National Government Affairs",
        note="translation printed with an opening quotation mark that is never closed (errata.csv e60)",
    ),
    (80, 3): dict(
        type="document",
        authors=[L("State Council")],
        title="“十四五”数字经济发展规划",
        container_title="Gov. cn",
        publisher="",
        title_translation="“14th Five-Year Plan” for the Development of the Digital Economy",
    ),
    (81, 1): dict(publisher="FSG Originals", publisher_place="New York"),
    (82, 1): dict(
        type="legislation",
        container_title="Gov.cn",
        publisher="",
        title_translation="SPC Opinions concerning Strengthening the Judicial Application of Blockchain",
    ),
    (83, 1): dict(container_title="DigiChina", publisher=""),
    (85, 1): dict(type="article-newspaper"),
    (86, 1): dict(
        type="document",
        authors=[L("Ministry of Industry and Information Technology")],
        issued="",
        title='数字化助力消费品工业"三品"行动方案 (2022—2025年)',
        publisher="",
        title_translation='Action Plan for the "Three Products" in the Data-assisted Consumer Product Industry',
    ),
    (87, 1): dict(
        type="document",
        title='上海市培育"元宇宙"新赛道行动方案 (2022-2025年)',
        publisher="",
        title_translation='Shanghai Municipality Action Plan to Foster New Tracks for the "Metaverse"',
    ),
    (89, 1): dict(
        authors=[L("People's Daily")],
        title='中央网信办：推动"互联网+公益慈善"向民生服务等新场景拓展',
        title_translation='CAC: Promote the Expansion of "Internet + Public Interest Philanthropy" towards '
        "People's Livelihood Services and Other New Venues",
    ),
    (90, 1): dict(
        type="legislation",
        authors=[L("Cyberspace Administration of China")],
        title="区块链信息服务管理规定",
        title_translation="Blockchain information Service Management Regulations",
        publisher="",
        note="the URL is DigiChina's translation",
    ),
    (91, 1): dict(
        type="document",
        publisher="",
        title_translation="CAC Announcement concerning the Publication of the 9th Batch of Blockchain "
        "Information Service Filing Numbers",
    ),
    (94, 1): dict(title="BSN Website", authors=[]),
    (95, 1): dict(publisher="", title_translation="Node Running Conditions"),
    (98, 1): dict(type="article-newspaper", authors=[], container_title="AP News"),
    (99, 1): dict(
        title="The Cashless Revolution: China’s Reinvention of Money and the End of America’s Domination of "
        "Finance and Technology",
        publisher="Public Affairs",
        publisher_place="New York",
    ),
    (100, 1): dict(
        publisher="European Parliament",
        genre="Briefing",
        note="printed 'European Parliament Briefing, Members' Research Service'",
    ),
    (102, 1): dict(),
    (103, 1): dict(type="report"),
    (105, 1): dict(type="report", publisher="CSIS"),
    (106, 1): dict(type="report", container_title="", publisher="Carnegie Endowment for International Peace"),
    (108, 1): dict(type="article-magazine"),
    (109, 1): dict(type="webpage", publisher="", container_title="UC Berkeley"),
    (111, 1): dict(type="article-magazine"),
    (112, 1): dict(
        type="bill",
        publisher="",
        container_title="China Law Translate",
        title_translation="Social Credit System Construction Law of the People’s Republic of China (Public "
        "Opinion Solicitation Draft)",
    ),
    (113, 1): dict(type="article-magazine"),
    (114, 1): dict(publisher=""),
    (115, 1): dict(
        type="paper-conference",
        publisher="",
        container_title="Proceedings of the 52nd Hawaii International Conference on System Sciences",
    ),
    (117, 2): dict(note="the printed DOI URL seems truncated (…13540661221126); kept as printed"),
    (117, 3): dict(authors=[("de Goede", "Marieke"), ("Westermeier", "Carola")]),
    (119, 1): dict(publisher="Columbia University Press", publisher_place="New York"),
    (120, 1): dict(
        type="webpage",
        authors=[L("Cambridge Centre for Alternative Finance")],
        container_title="Bitcoin Mining Map",
        title="Evolution of network hashrate",
        publisher="",
    ),
    (121, 1): dict(type="article-magazine"),
    (122, 1): dict(
        type="report", authors=[L("Working Group on E-CNY Research and Development of the People’s Bank of China")]
    ),
    (123, 1): dict(
        type="report",
        authors=[("Fullerton", "Elijah J."), ("Morgan", "Peter J.")],
        title="The People’s Republic of China’s Digital Yuan: Its Environment, Design, and Implications",
        container_title="",
        collection_title="ADB Discussion Paper",
        number="1306",
        publisher="Asian Development Bank Institute",
    ),
    (124, 1): dict(
        type="report", note="author printed 'Bank for International Settlement Innovation Hub' (errata.csv e14)"
    ),
    (126, 1): dict(
        type="speech",
        genre="CFS-IMFS Special Lecture",
        publisher="Bundesbank",
        note="printed 'CFS-IMFS Special Lecture, Goethe University, Bundesbank'",
    ),
    (129, 1): dict(type="report", container_title="", publisher="Carnegie Endowment for International Peace"),
    (129, 2): dict(
        type="report",
        authors=[L("Citic Securities")],
        issued="2022",
        publisher="",
        title_translation="Digital RMB Special Research Report: Payment Infrastructure in the Digital Economy Era",
        note="printed 'Citic Securities 2022' before the title",
    ),
    (132, 1): dict(type="post-weblog"),
    (132, 2): dict(type="article-magazine"),
    (133, 1): dict(type="article-magazine"),  # Politico, a news site
    (135, 1): dict(authors=[("Mierzejewski", "Dominik")]),
    (136, 1): dict(type="webpage"),
    (137, 1): dict(type="article-magazine"),
    (139, 1): dict(
        collection_title="IAI Commentaries",
        number="21/44",
        publisher="Istituto Affari Internazionali",
        publisher_place="Rome",
    ),
    (143, 1): dict(
        type="chapter",
        container_title="The (Near) Future of Central Bank Digital Currencies: Risks and "
        "Opportunities for the Global Economy and Society",
        editors="Nicola Bilotta and Fabrizio Botti",
        eds=[("Bilotta", "Nicola"), ("Botti", "Fabrizio")],
        publisher="Peter Lang",
        publisher_place="Bern",
        note="printed 'pp. 145–166, p. 160' (page 160 cited)",
    ),
    (145, 2): dict(
        type="article-journal",
        authors=[("Hai", "Steven-Jiawei"), ("Klingler-Vidra", "Robyn")],
        publisher="King’s College",
        publisher_place="London",
    ),
    (146, 2): dict(
        publisher="European Parliament",
        publisher_place="Luxembourg",
        note="printed 'European Parliament, Committee on Economic and Monetary Affairs, Policy Department "
        "for Economic, Scientific and Quality of Life Policies, Luxembourg'",
    ),
    (152, 1): dict(type="article-magazine"),
    (154, 1): dict(
        publisher="Palgrave Macmillan", publisher_place="Singapore", note="printed 'pp. 117'; '(Emphasis in original)'"
    ),
    (155, 1): dict(type="paper-conference"),
    (155, 2): dict(authors=[("Shen", "Chunming")], note="author printed family name first: 'Shen, Chunming'"),
    (156, 1): dict(publisher="Columbia University Press", publisher_place="New York"),
    (157, 1): dict(type="report", container_title="", publisher="Carnegie Endowment for International Peace"),
    (160, 1): dict(type="article-magazine", note="no date printed"),
    (162, 1): dict(
        type="report",
        authors=[],
        publisher="SINA",
        note="printed after 'See' and before the Chinese title with the report's English name 'Fintech "
        "Research Feature: Detailed Explanation of Digital RMB' (not a series)",
        title_translation="Fintech Research Special: Detailed Explanation of Digital RMB, "
        "Three Key Questions Answered and Investment Opportunity Analysis",
    ),
    (164, 2): dict(
        type="report",
        container_title="",
        collection_title="ADB Working Papers",
        number="482",
        issue="",
        publisher="Asian Development Bank",
    ),
    (164, 3): dict(type="article-magazine"),
    (166, 1): dict(
        type="report",
        authors=[("Fischione", "Carlo"), ("van der Lugt", "Sanne"), ("van der Putten", "Frans-Paul")],
        container_title="",
        publisher="Digital Power China",
    ),
    (170, 1): dict(
        authors=[("Fallgren", "Mikael")],
        et_al=True,
        editors="Fallgren et. al.",
        eds=[("Fallgren", "")],
        publisher="John Wiley & Sons",
        publisher_place="Hoboken",
        note="editors printed 'Fallgren et. al. (eds)' (errata.csv e57)",
    ),
    (168, 1): dict(type="article-magazine"),
    (171, 1): dict(type="report", container_title="", publisher="Quectel"),
    (172, 1): dict(type="article-magazine"),
    (173, 1): dict(type="report", note="printed 'no date'"),
    (177, 1): dict(type="article-magazine"),
    (177, 2): dict(
        type="webpage",
        authors=[L("Research and Marketing")],
        note="publisher printed 'Research and Marketing' (errata.csv e24)",
    ),
    (179, 1): dict(
        container_title="Vehicular Networks: Principles, Enabling Technologies and Perspectives",
        note="editor printed 'Abdelfatteh Haidine (eds)' (errata.csv e58); volume marked '[working title]'",
    ),
    (180, 1): dict(type="webpage", authors=[L("Research and Markets")]),
    (181, 1): dict(type="article-magazine"),
    (182, 1): dict(type="article-magazine"),
    (184, 1): dict(type="webpage", publisher="", container_title="Volkswagen AG"),
    (185, 1): dict(type="article-magazine"),
    (187, 1): dict(note="the URL continues after a page break in the extraction"),
    (188, 1): dict(type="article-magazine", authors=[("Metz", "Saad")], publisher="", note="printed 'no date'"),
    (190, 1): dict(type="article-magazine"),
    (192, 1): dict(
        authors=[("Holroyd", "Matthew")],
        note="author printed 'Go Matthew Holroyd'; the URL's path has 2022/09/02 (errata.csv e62)",
    ),
    (193, 1): dict(
        type="webpage",
        authors=[L("United Nations, Department of Economic and Social Affairs")],
        publisher="",
        publisher_place="New York",
    ),
    (194, 1): dict(
        type="report",
        container_title="",
        genre="Research Report Prepared on Behalf of the US-China Economic and Security Review Commission",
        publisher="SOS International (SOSi)",
        publisher_place="Reston",
    ),
    (195, 1): dict(
        publisher="European Parliament, Policy Department for External Relations",
        publisher_place="Brussels",
        note="printed 'et. al.' (errata.csv e57)",
        old_ids="gowacka2021digital",
    ),
    (196, 1): dict(type="webpage"),
    (198, 1): dict(container_title="", genre="Working Paper", publisher_place="Washington, DC"),
    (199, 1): dict(type="article-magazine"),
    (200, 1): dict(type="report", container_title="", publisher="Top10VPN"),
    (204, 1): dict(type="report"),
    (208, 1): dict(
        container_title="", genre="Data Brief", publisher="Center for Security and Emerging Technology (CEST)"
    ),
    (209, 1): dict(type="webpage"),
    (210, 1): dict(authors=[L("The State Key Laboratory for Management and Control of Complex Systems (SKL-MCCS)")]),
    (211, 1): dict(title="", note="title printed as “no title”"),
    (212, 1): dict(note="a search"),
    (213, 1): dict(note="a search"),
    (214, 1): dict(note="a search"),
    (215, 1): dict(
        publisher="European Parliamentary Research Service (EPRSP) Scientific Foresight Unit (STOA)",
        number="PE 729.543",
        note="abbreviation printed 'EPRSP' for EPRS (errata.csv e56)",
    ),
    (216, 1): dict(
        authors=[L("European Parliament")],
        title="Artificial Intelligence in smart cities and urban mobility",
        genre="Briefing",
        publisher="",
    ),
    (217, 1): dict(title='"complex adaptive systems" AND "supply chain resilience"', publisher="", note="a search"),
    (219, 1): dict(type="article-magazine"),
    (221, 1): dict(type="article-magazine"),  # Quartz, a news site
    (220, 1): dict(type="manuscript", authors=[("Walton", "Greg")], title="", genre="Unpublished research"),
    (222, 1): dict(note="date printed '8 April, 2019'"),
    (224, 1): dict(
        type="webpage",
        authors=[L("US Department of State")],
        title="US-ASEAN Smart Cities Partnership (USASCP)",
        publisher="",
    ),
    (225, 1): dict(
        type="report",
        authors=[L("USAID")],
        title="USAID’s Program Supporting Climate-Smart Cities",
        publisher="",
        note="access date printed '6 January 2022'",
    ),
    (226, 1): dict(note="issue dated 'Fall 2021'"),
    (228, 1): dict(type="article-magazine"),  # Axios, a news site
    (229, 1): dict(
        type="report",
        authors=[("Ekman", "Alice"), ("de Esperanza Picardo", "Cristina")],
        container_title="",
        publisher="EUISS",
    ),
    (231, 1): dict(type="article-magazine", note="date printed '29 Nov. 2022'"),
    (232, 1): dict(title="“systems of systems”, “smart city”, “airbus”", publisher="", note="a search"),
    (232, 2): dict(title="“systems of systems”, “smart city”, “thales”", publisher="", note="a search"),
    (235, 1): dict(type="broadcast", publisher="", publisher_place="Toronto", note="a video"),
    (236, 1): dict(type="webpage", publisher="CNG Media"),
    (237, 1): dict(
        authors=[], title="The Smart City Taiwan Project", note="printed with the project's years '2018–2020'"
    ),
    (238, 1): dict(
        type="report",
        publisher="Joint Research Centre (JRC) Publications Repository",
        publisher_place="Brussels",
        collection_title="JRC",
        number="12 9319",
        note="printed 'JRC no. 12 9319' (series, then the number after 'no.', as 'ADB Working Papers no. 482')",
        issue="",
    ),
    (240, 1): dict(
        type="document",
        authors=[L("European Union")],
        genre="EU-US Summit 2021: Statement",
        issued="2021",
        note="year as printed in 'EU-US Summit 2021: Statement'",
    ),
    (241, 1): dict(type="post-weblog"),
    (242, 1): dict(
        type="bill",
        authors=[],
        issued="",
        publisher="",
        number="COM(2021) 206 Final",
        title="Proposal for a Regulation of the European Parliament and of the Council Laying Down Harmonised "
        "Rules on Artificial Intelligence (Artificial Intelligence Act) and Amending Certain Union "
        "Legislative Acts",
    ),
    (244, 1): dict(type="article"),
    (246, 1): dict(type="article-magazine"),
    (247, 1): dict(type="webpage"),
    (248, 1): dict(type="article-journal"),
    (249, 1): dict(publisher="Mercator Institute for China Studies (MERICS)", collection_title="China Monitor"),
    (250, 1): dict(type="document", note="date printed 'Updated 17 November 2022'"),
    (251, 1): dict(
        type="webpage",
        publisher="",
        title_translation="The Ministry of Science and Technology held a new generation of artificial "
        "intelligence development plan and a major science and technology project launch meeting",
    ),
    (252, 1): dict(
        type="document",
        publisher="",
        title_translation="Guidelines for the Construction of the National New Generation Artificial "
        "Intelligence Standard System",
    ),
    (253, 1): dict(
        type="article-newspaper",
        publisher="",
        title_translation="China-led IEEE global standards for artificial intelligence medical devices released",
    ),
    (254, 1): dict(type="bill", note="notice inviting comments on draft regulations"),
    (255, 1): dict(type="legislation"),
    (256, 1): dict(type="post-weblog"),
    (257, 1): dict(
        type="report",
        container_title="",
        collection_title="MERICs China Monitor",
        publisher="MERICs",
        note="URL printed with the domain 'meric.org' (errata.csv e22)",
    ),
    (258, 1): dict(type="article-journal", container_title="AI Society", publisher=""),
    (260, 1): dict(type="article-magazine", note="no publication date: printed '[n.d.]'"),
    (261, 1): dict(title="Service Agreement for Developer on the Face++ Artificial Intelligence Open Platform"),
    (262, 1): dict(
        type="webpage",
        authors=[L("TikTok")],
        title="How TikTok recommends videos #For You",
        publisher="",
        note="title printed without its opening quotation mark (errata.csv e61)",
    ),
    (263, 1): dict(),
    (264, 1): dict(note="date printed 'Updated 2 November 2022'"),
    (266, 1): dict(type="article-magazine"),
}
SEG[135] = [
    "Dominik Mierzejewski, \"The role of Guangdong and Guangzhou's Subnational Diplomacy in China's Belt and Road "
    'Initiative", *China: An International Journal*, vol. 18, no. 2 (May 2020), pp. 99–119, <doi: 10.1353/chn.2020.0018>',
    'Yonghui Han et al., "The Belt and Road Initiative, Sister-city Partnership and Chinese Outward FDI", *Economic '
    "Research-Ekonomska Istraživanja*, vol. 35, no. 1 (November 2021), pp. 3416–3436, <doi: 10.1080/1331677X.2021.1997618>",
    'Helen Wei Zheng et al., "Interrogating China\'s global urban presence", *Geopolitics*, March 2021, '
    "<doi: 10.1080/14650045.2021.1901084>.",
]
SEG[145] = [
    "Gary Sigley and Warwick Powell (note 118).",
    "Steven-Jiawei Hai and Robyn Klingler-Vidra, “Chinese blockchain: Convergence around a Beijing-aligned strategy”, "
    "*Global Policy*, King’s College, London, August 2022, <<https://www.globalpolicyjournal.com/sites/default/files/"
    "pdf/Hai%20and%20Klingler-Vidra%20-%20Chinese%20blockchain%2C%20convergence%20around%20a%20Beijing-aligned%20strategy.pdf>>.",
]
SEG[177] = [
    'Murray Slovick, "DSRC vs. C-V2X: Looking to impress the regulators", *Electronic Design*, 6 October 2017, '
    "<<https://www.electronicdesign.com/markets/automotive/article/21805671/dsrc-vs-cv2x-looking-to-impress-the-regulators>>.",
    'Research and Marketing, "Global and China V2X (Vehicle to Everything) and CVIS (Cooperative Vehicle Infrastructure '
    'System) Industry Report 2021", *Business Wire*, 29 June 2021, <<https://www.businesswire.com/news/home/'
    "20210629005648/en/Global-and-China-V2X-Vehicle-to-Everything-and-CVIS-Cooperative-Vehicle-Infrastructure-"
    "System-Industry-Report-2021---ResearchAndMarkets.com>>.",
]
SEG[80] = [
    "Central Commission for Cybersecurity and Informatization, ““十四五”国家信息化规划” [Translation: 14th Five-year Plan "
    "for National Informatization, Dec. 2021], DigiChina, accessed 28 November 2022, at <<https://digichina.stanford.edu/"
    "work/translation-14th-five-year-plan-for-national-informatization-dec-2021/>>",
    "National Development and Reform Commission, ““十四五”推进国家政务信息化规划” [“14th Five-Year Plan to Advance the "
    "Informatization of National Government Affairs], *Gov. cn*, accessed 28 November 2022, at "
    "<http://www.gov.cn/zhengce/zhengceku/2022-01/06/content_5666746.htm>",
    "State Council, ““十四五”数字经济发展规划” [“14th Five-Year Plan” for the Development of the Digital Economy], "
    "*Gov. cn*, accessed 28 November 2022, at <http://www.gov.cn/xinwen/2022-01/12/content_5667840.htm>.",
]
SEG[188] = [
    'Saad Metz, "Audi and Huawei explore new driving experience", *IoT Automotive*, no date, accessed 13 December '
    "2022 at <<https://iot-automotive.news/huawei-and-audi-explore-new-driving-experience/>>."
]


def strip_md(text: str) -> str:
    text = re.sub(r"(?<!\w)\*+|\*+(?!\w)", "", text)
    return re.sub(r"\\([$&#_()])", r"\1", text).strip()


def split_top(text: str, sep: str = "; ") -> list[str]:
    out, depth, quote, buf, i = [], 0, None, "", 0
    while i < len(text):
        ch = text[i]
        if ch in "<([":
            depth += 1
        elif ch in ">)]":
            depth = max(0, depth - 1)
        elif ch == "“":
            quote = "”"
        elif ch == "”" and quote == "”":
            quote = None
        elif ch == '"':
            quote = None if quote == '"' else (quote or '"')
        if depth == 0 and quote is None and text.startswith(sep, i):
            out.append(buf)
            buf, i = "", i + len(sep)
            continue
        buf += ch
        i += 1
    out.append(buf)
    return [s.strip() for s in out if s.strip()]


def parse_date(text: str):
    """(iso, printed) for the first date in *text*, as precise as printed."""
    best = None
    for rx, kind in ((DATE_FULL, "d"), (DATE_MONTH, "m"), (DATE_YEAR, "y")):
        m = rx.search(text)
        if m and (
            best is None
            or m.start() < best[0].start()
            or (m.start() == best[0].start() and len(m.group(0)) > len(best[0].group(0)))
        ):
            best = (m, kind)
    if not best:
        return None, None
    m, kind = best
    if kind == "d":
        return f"{int(m.group(3)):04d}-{MONTHS[m.group(2)]:02d}-{int(m.group(1)):02d}", m.group(0)
    if kind == "m":
        return f"{int(m.group(2)):04d}-{MONTHS[m.group(1)]:02d}", m.group(0)
    return m.group(1), m.group(0)


def iso_accessed(text):
    m = ACCESSED.search(text)
    if not m:
        return None
    iso, _ = parse_date(m.group(1))
    return iso


#: a person's (family, given) name, or an organisation's literal name
Name = tuple[str, str] | str


def split_names(text: str) -> tuple[list[Name], bool]:
    text = strip_md(text).strip().rstrip(",")
    et_al = False
    if re.search(r"\bet\.? al\.?$", text):
        et_al = True
        text = re.sub(r",?\s*\bet\.? al\.?$", "", text).strip()
    if not text:
        return [], et_al
    if ORG_WORDS.search(text) and " and " not in text:
        return [text], et_al
    parts = re.split(r",\s*|\s+and\s+", text)
    names: list[Name] = []
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if p in FAMILY_FIRST:
            fam, giv = p.split(" ", 1)
            names.append((fam, giv))
        elif ORG_WORDS.search(p) or " " not in p:
            names.append(p)
        else:
            giv, fam = p.rsplit(" ", 1)
            names.append((fam, giv))
    return names, et_al


def parse_segment(seg: str) -> dict:
    seg = LEAD.sub("", seg.strip())
    rec: dict[str, Any] = {k: "" for k in FIELDS}
    rec["authors"], rec["eds"] = [], []
    m = URL.search(seg)
    if m:
        rec["url"] = m.group(1) or m.group(2)
    d = DOI.search(seg)
    if d:
        rec["doi"] = d.group(1)
    rec["accessed"] = iso_accessed(seg) or ""
    body = URL.sub("", seg)
    body = DOI.sub("", body)
    body = re.sub(r",?\s*accessed [^,<]*?\d{4}(?: at)?,?", "", body)
    q = QUOTED.search(body)
    it = ITALIC.search(body)
    if q and (not it or q.start() < it.start()):
        title, start, end = q.group(0)[1:-1], q.start(), q.end()
    elif it:
        title, start, end = it.group(1), it.start(), it.end()
    else:
        parts = [p.strip() for p in body.split(",")]
        title, start, end = parts[0], 0, len(parts[0])
    rec["title"] = strip_md(title).rstrip(",").strip()
    rec["authors"], rec["et_al"] = split_names(body[:start])
    rest = body[end:]
    ed = re.search(r"\bin (.*?) \(eds?\.?\)\.?,? \*?([^*]+?)\*?,", rest)
    if ed:
        rec["editors"] = strip_md(ed.group(1))
        rec["eds"] = split_names(ed.group(1))[0]
        rec["container_title"] = strip_md(ed.group(2))
        rest = rest[ed.end() :]
    vol = re.search(r"vol\. (\d+)", rest)
    if vol:
        rec["volume"] = vol.group(1)
    no = re.search(r"no\. (\d+)", rest)
    if no:
        rec["issue"] = no.group(1)
    pg = re.search(r"pp?\. (\d+(?:[–-]\d+)?)|, (\d+–\d+)\.", rest)
    if pg:
        rec["page"] = pg.group(1) or pg.group(2)
    iso, printed = parse_date(re.sub(r"[Uu]pdated ", "", rest))
    rec["issued"] = iso or ""
    its = ITALIC.findall(rest)
    if its and not rec["container_title"]:
        rec["container_title"] = strip_md(its[0]).strip(", ")
    pieces = [strip_md(p).strip(" .") for p in re.split(r",\s*", re.sub(r"\([^)]*\)", "", rest))]
    pieces = [p for p in pieces if p and not re.search(r"\d{4}|^pp?\.|^vol\.|^no\.|^at$|^accessed|^<", p)]
    if pieces and not rec["container_title"]:
        first = pieces[0]
        if first in NEWSPAPERS:
            rec["container_title"] = first
        else:
            rec["publisher"] = first
    elif pieces and rec["container_title"] and pieces[0] == rec["container_title"] and len(pieces) > 1:
        rec["publisher"] = pieces[1]
    # type
    if rec["eds"]:
        rec["type"] = "chapter"
    elif rec["volume"] or rec["doi"] or re.search(r"Journal|Review|Proceedings", rec["container_title"]):
        rec["type"] = "article-journal"
    elif rec["container_title"] in NEWSPAPERS:
        rec["type"] = "article-newspaper"
    elif it and (not q or it.start() < q.start()) and it.start() == start:
        rec["type"] = "book" if not rec["url"] else "report"
    elif rec["accessed"] and not rec["issued"]:
        rec["type"] = "webpage"
    else:
        rec["type"] = "report" if rec["publisher"] else "webpage"
    link = DOI_URL.match(rec["url"])
    if link and not rec["doi"]:  # after the type: a DOI link alone does not make a journal article
        rec["doi"] = link.group(1)
    return rec


#: Latin letters NFKD does not decompose into a base letter and a mark.
FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "œ": "oe"})


def ascii_fold(text: str) -> str:
    """ASCII form of a name for an id: diacritics dropped ('Rühlig' -> 'Ruhlig', 'Głowacka' -> 'Glowacka')."""
    return unicodedata.normalize("NFKD", text.translate(FOLD)).encode("ascii", "ignore").decode()


def key_for(rec: dict, used: set) -> str:
    first = rec["authors"][0] if rec["authors"] else (rec["container_title"] or rec["publisher"] or rec["title"])
    name = first[0] if isinstance(first, tuple) else first.split()[0]
    name = ascii_fold(name).lower()
    name = re.sub(r"[^a-z0-9]", "", name) or "anon"
    year = rec["issued"][:4] if rec["issued"] else "nd"
    words = [
        w
        for w in re.findall(r"[A-Za-z0-9]+", unicodedata.normalize("NFKD", rec["title"]))
        if w.lower() not in {"the", "a", "an", "of", "on", "and", "in", "for", "to", "is"}
    ]
    base = f"{name}{year}{words[0].lower() if words else ''}"[:40]
    k, i = base, 1
    while k in used:
        i += 1
        k = f"{base}{chr(ord('a') + i - 1)}"
    used.add(k)
    return k


def norm_title(t: str) -> str:
    return re.sub(r"\W+", " ", t.lower()).strip()


def _first_author(rec):
    a = rec["authors"][0] if rec["authors"] else ""
    return a[0] if isinstance(a, tuple) else a


def draft(data_dir: Path):
    """(sources, links, merges): the drafted rows and the list of merged duplicate citations."""
    with open(data_dir / "references.csv", encoding="utf-8", newline="") as fh:
        refs = list(csv.DictReader(fh))
    sources: list[dict[str, Any]] = []
    by_url: dict[str, str] = {}
    by_title: dict[str, str] = {}
    links: list[dict[str, Any]] = []
    per_note: dict[int, list[str | None]] = {}  # None: a back-reference whose target was not found
    merges: list[tuple[int, int, str]] = []
    seg_source: dict[tuple[int, int], str] = {}
    used: set = set()
    for r in refs:
        n = int(r["footnote"])
        per_note[n] = []
        if n in EXPLANATORY:
            continue
        texts = SEG.get(n) or split_top(r["citation"])
        for pos, text in enumerate(texts, start=1):
            b = BACKREF.match(LEAD.sub("", text.strip()))
            if b:
                target, remark = int(b.group("n")), ""
                if n in POINTER_SLIPS and POINTER_SLIPS[n][0] == target:
                    printed, target, eid = POINTER_SLIPS[n]
                    remark = (
                        f"printed pointer 'note {printed}' is a slip (errata.csv {eid}); "
                        f"links the work of note {target}"
                    )
                cands = per_note.get(target, [])
                pick = None
                if (n, pos) in BACKREF_TARGET:
                    pick = cands[BACKREF_TARGET[(n, pos)] - 1]
                who = strip_md(b.group("who")).split(",")[0].split(" and ")[0].split()
                for sid in cands if pick is None else []:
                    src = next(s for s in sources if s["source_id"] == sid)
                    names = " ".join(a if isinstance(a, str) else f"{a[1]} {a[0]}" for a in src["authors"])
                    if who and who[-1] in (names + " " + src["title"] + " " + src["publisher"]):
                        pick = sid
                        break
                if pick is None and len(cands) == 1:
                    pick = cands[0]
                if pick is None:
                    remark = (remark + "; " if remark else "") + "DRAFT: back-reference target not found"
                links.append(
                    {"footnote": n, "position": pos, "source_id": pick or "", "backref_note": target, "note": remark}
                )
                per_note[n].append(pick)
                continue
            rec = {k: "" for k in FIELDS} | {"authors": [], "eds": []} | parse_segment(text)
            rec.update(FIX.get((n, pos), {}))
            rec["footnote"] = n
            merged = MERGE.get((n, pos))
            dup = seg_source.get(merged) if merged else None
            if not dup and rec["url"]:
                dup = by_url.get(rec["url"])
            if not dup:
                cand = by_title.get(norm_title(rec["title"])) if rec["title"] else None
                if cand:
                    other = next(s for s in sources if s["source_id"] == cand)
                    if _first_author(other) == _first_author(rec) and (not rec["url"] or not other["url"]):
                        dup = cand
            if dup:
                primary = next(s for s in sources if s["source_id"] == dup)
                extra = [
                    f"{f} {rec[f]}" for f in ("url", "doi", "issued", "accessed") if rec[f] and rec[f] != primary[f]
                ]
                links.append(
                    {
                        "footnote": n,
                        "position": pos,
                        "source_id": dup,
                        "backref_note": "",
                        "note": f"the same work as cited in full in footnote {primary['footnote']} (merged)"
                        + (
                            f"; {REPEAT_DIFF[(n, pos)]}"
                            if (n, pos) in REPEAT_DIFF
                            else f"; printed here with {', '.join(extra)}"
                            if extra
                            else ""
                        ),
                    }
                )
                per_note[n].append(dup)
                seg_source[(n, pos)] = dup
                merges.append((n, pos, dup))
                continue
            rec["source_id"] = key_for(rec, used)
            sources.append(rec)
            if rec["url"]:
                by_url[rec["url"]] = rec["source_id"]
            if rec["title"]:
                by_title.setdefault(norm_title(rec["title"]), rec["source_id"])
            links.append(
                {"footnote": n, "position": pos, "source_id": rec["source_id"], "backref_note": "", "note": ""}
            )
            per_note[n].append(rec["source_id"])
            seg_source[(n, pos)] = rec["source_id"]
    return sources, links, merges


def write(out: Path, sources, links):
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "sources.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, FIELDS, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        for s in sources:
            w.writerow({k: ("true" if s[k] is True else "false" if s[k] is False else s[k]) for k in FIELDS})
    with open(out / "source_authors.csv", "w", encoding="utf-8", newline="") as fh:
        rows = csv.writer(fh, lineterminator="\n")
        rows.writerow(["source_id", "role", "position", "family", "given", "literal"])
        for s in sources:
            for role, names in (("author", s["authors"]), ("editor", s["eds"])):
                for i, a in enumerate(names, start=1):
                    rows.writerow(
                        [s["source_id"], role, i, *((a[0], a[1], "") if isinstance(a, tuple) else ("", "", a))]
                    )
    with open(out / "footnote_sources.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ["footnote", "position", "source_id", "backref_note", "note"], lineterminator="\n")
        w.writeheader()
        w.writerows(links)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=Path("/tmp/osa-sources-draft"))
    a = ap.parse_args()
    s, l, m = draft(a.data_dir)
    write(a.out, s, l)
    print(f"{len(s)} sources, {len(l)} links, {len(m)} merged duplicate citations -> {a.out}")
    for n, pos, sid in m:
        print(f"  merged: footnote {n} segment {pos} -> {sid}")
