#!/usr/bin/env python3
"""Generates screening queries from the listed names, seeded.

usage: gen_queries.py NAMES.tsv COUNT SEED OUT.tsv

NAMES.tsv is `screen_bench names` output (list, key, type, quality, name).
Writes COUNT lines "want<TAB>kind<TAB>type<TAB>query": want is "list:key" of
the entry the query was made from, or "-" for a made-up name that is on no
list.  Kinds of listed-name variants:

  exact         the listed name with its case and punctuation changed
  romanisation  Korean romanisation variants (k/g, ch/j, t/d, p/b, o/eo, u/eu,
                r/l/none initial, Ri/Lee, Pak/Park, hyphens)
  typo          one letter dropped, doubled, swapped or replaced
  reorder       "SURNAME, Given" as "Given SURNAME"; company forms abbreviated
  hangul        a Korean person's name in Hangul
  cyrillic      the name in Cyrillic letters

Unlisted kinds: western (made-up persons and companies) and korean (made-up
Korean person names, which share family names with listed persons).
"""
import random
import re
import sys

ONSETS = ["kk", "tt", "pp", "ss", "jj", "ch", "k", "g", "n", "d", "t", "r", "l", "m", "b", "p",
          "s", "j", "h", "y", "w", ""]
SYL = re.compile(r"^(?:(?:ch|kh|ph|th|kw|hw|ry|ny|ly|[kgndtrlmbpsjhyw])?"
                 r"(?:ae|ya|yo|yu|ye|eo|eu|oe|ui|wa|wo|a|o|u|i|e)(?:ng|n|m|l|k|p|t)?){1,3}$")

# Romanised syllables of Korean names and their Hangul (DPRK forms).
HANGUL = {
    "kim": "김", "ri": "리", "pak": "박", "choe": "최", "jong": "정", "chong": "정", "kang": "강",
    "han": "한", "o": "오", "yun": "윤", "jang": "장", "chang": "장", "hwang": "황", "mun": "문",
    "sin": "신", "ryu": "류", "ra": "라", "paek": "백", "son": "손", "jo": "조", "cho": "조",
    "hong": "홍", "ho": "호", "u": "우", "yang": "양", "ko": "고", "ju": "주", "an": "안",
    "nam": "남", "song": "송", "chol": "철", "yong": "영", "il": "일", "sam": "삼", "su": "수",
    "jin": "진", "myong": "명", "hyok": "혁", "sik": "식", "chun": "춘", "man": "만", "kil": "길",
    "tong": "동", "sok": "석", "hwa": "화", "kuk": "국", "ryong": "룡", "chan": "찬", "hak": "학",
    "sang": "상", "ung": "웅", "un": "은", "ok": "옥", "hui": "희", "min": "민", "kyong": "경",
    "thae": "태", "won": "원", "hun": "훈", "tok": "덕", "jun": "준", "pom": "범", "bong": "봉",
    "sun": "순", "in": "인", "hyon": "현", "chae": "채", "hae": "해", "kwang": "광", "kwon": "권",
    "yon": "연", "hyong": "형", "pyong": "병", "chon": "천", "hyo": "효", "mu": "무", "to": "도",
}
FAMILIES = ["kim", "ri", "pak", "choe", "jong", "kang", "han", "o", "yun", "jang", "hwang", "mun",
            "sin", "ryu", "paek", "son", "jo", "hong", "yang", "ko", "ju", "an", "nam", "song"]
GIVEN = [s for s in HANGUL if s not in FAMILIES]

CYR = [("shch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
       ("yu", "ю"), ("ya", "я"), ("yo", "ё"), ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"),
       ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("y", "й"), ("k", "к"), ("l", "л"),
       ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"),
       ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "к"), ("j", "дж"), ("w", "в"), ("q", "к"),
       ("x", "кс")]

FORMS = [("CORPORATION", "CORP"), ("COMPANY", "CO"), ("LIMITED", "LTD"), ("TRADING", "TRDG"),
         ("INTERNATIONAL", "INTL"), ("INCORPORATED", "INC")]

WEST_GIVEN = ["Astrid", "Bjorn", "Carmen", "Dagny", "Elin", "Femke", "Gunnar", "Hedda", "Ingrid",
              "Joris", "Katrien", "Lars", "Maren", "Nils", "Oskar", "Pieter", "Ragnhild", "Sigrid",
              "Tove", "Ulrike", "Vilma", "Wouter", "Ylva", "Zofia", "Annelie", "Berit", "Casper",
              "Dirk", "Eskil", "Frida"]
WEST_FAMILY = ["Lindqvist", "Van der Berg", "Haugland", "Kowalczyk", "Nieminen", "Bergstrom",
               "Dijkstra", "Solberg", "Vasquez-Lund", "Halvorsen", "Janssens", "Mikkelsen",
               "Oosterhuis", "Rasmussen", "Sandvik", "Thorsen", "Verbeek", "Wikstrom", "Ekdahl",
               "Fjeld", "Gronberg", "Holmqvist", "Isaksen", "Kallio", "Lundgren"]
COMP_A = ["Northwind", "Bluefjord", "Silver Birch", "Harbourline", "Greenvale", "Meridian",
          "Copperleaf", "Stillwater", "Brightmoor", "Oakridge", "Lakeside", "Westerly",
          "Granite Peak", "Amberfield", "Redcliff"]
COMP_B = ["Logistics", "Agricultural Supplies", "Textiles", "Dental Care", "Software",
          "Bakery", "Furniture", "Printing", "Consulting", "Optics", "Ceramics", "Bicycles"]
COMP_C = ["Ltd", "GmbH", "AB", "BV", "AS", "Oy", "LLC", ""]


def korean(name):
    words = re.split(r"[\s,]+", name.lower().strip())
    return len(words) >= 2 and all(w and all(SYL.match(p) for p in w.split("-")) for w in words)


def romanise_variant(rnd, name):
    out = name
    swaps = [(r"\bRI\b", "LEE"), (r"\bRI\b", "YI"), (r"\bPAK\b", "PARK"), (r"\bKIM\b", "GIM"),
             (r"\bJONG\b", "CHONG"), (r"\bCHOL\b", "CHEOL"), (r"\bYONG\b", "YOUNG"),
             (r"\bRY", "Y"), (r"\bRY", "LY"), (r"K", "G"), (r"CH", "J"), (r"T(?!H)", "D"),
             (r"P(?!H)", "B"), (r"O(?!O)", "EO"), (r"U", "EU"), (r"-", " "), (r"-", ""),
             (r"(\w) (\w+)$", r"\1-\2")]
    rnd.shuffle(swaps)
    changed = 0
    for pat, rep in swaps:
        m = list(re.finditer(pat, out, re.I))
        if not m:
            continue
        hit = rnd.choice(m)
        new = out[:hit.start()] + hit.expand(rep) + out[hit.end():]
        if new != out:
            out = new
            changed += 1
        if changed >= 2:
            break
    return out if changed else None


def typo(rnd, name):
    words = name.split()
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return None
    i = rnd.choice(long)
    w = words[i]
    j = rnd.randrange(1, len(w) - 1)
    op = rnd.randrange(4)
    if op == 0:
        w = w[:j] + w[j + 1:]
    elif op == 1:
        w = w[:j] + w[j] + w[j:]
    elif op == 2:
        w = w[:j - 1] + w[j] + w[j - 1] + w[j + 1:]
    else:
        w = w[:j] + rnd.choice("aeiou") + w[j + 1:]
    words[i] = w
    return " ".join(words)


def reorder(name, typ):
    if typ == "person" and "," in name:
        fam, given = name.split(",", 1)
        return given.strip() + " " + fam.strip()
    up = name.upper()
    for full, short in FORMS:
        if full in up:
            return re.sub(full, short, up)
    return None


def to_hangul(name):
    words = re.split(r"[\s,\-]+", name.lower().strip())
    if not words or any(w not in HANGUL for w in words):
        return None
    return HANGUL[words[0]] + "".join(HANGUL[w] for w in words[1:])


def to_cyrillic(name):
    s = name.lower()
    out = []
    i = 0
    while i < len(s):
        for lat, cyr in CYR:
            if s.startswith(lat, i):
                out.append(cyr)
                i += len(lat)
                break
        else:
            out.append(s[i])
            i += 1
    return "".join(out).upper()


def exact(rnd, name):
    s = re.sub(r"[.,'’]", "", name)
    return rnd.choice([s.lower(), s.title(), s.upper()])


def main():
    src, count, seed, dst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    rnd = random.Random(seed)
    names = []
    listed = set()
    for line in open(src, encoding="utf-8"):
        lst, key, typ, quality, name = line.rstrip("\n").split("\t")
        listed.add(re.sub(r"[^a-z]", "", name.lower()))
        if quality != "weak" and len(name) >= 4:
            names.append((lst + ":" + key, typ, name))
    kor = [n for n in names if n[1] == "person" and korean(n[2])]
    kinds = ["exact", "romanisation", "typo", "reorder", "hangul", "cyrillic"]
    out = open(dst, "w", encoding="utf-8")
    written = 0
    while written < count:
        r = rnd.random()
        if r < 0.15:
            if rnd.random() < 0.5:
                q = rnd.choice(WEST_GIVEN) + " " + rnd.choice(WEST_FAMILY)
                typ = "person"
            else:
                q = " ".join(x for x in (rnd.choice(COMP_A), rnd.choice(COMP_B), rnd.choice(COMP_C)) if x)
                typ = "company"
            kind = "western"
        elif r < 0.25:
            fam = rnd.choice(FAMILIES)
            given = rnd.sample(GIVEN, 2)
            q = (fam + " " + given[0] + " " + given[1]).title()
            typ, kind = "person", "korean"
        else:
            kind = kinds[int((r - 0.25) / 0.75 * len(kinds))]
            want, typ, name = rnd.choice(kor if kind in ("hangul", "romanisation") else names)
            if kind == "exact":
                q = exact(rnd, name)
            elif kind == "romanisation":
                q = romanise_variant(rnd, name)
            elif kind == "typo":
                q = typo(rnd, name)
            elif kind == "reorder":
                q = reorder(name, typ)
            elif kind == "hangul":
                q = to_hangul(name)
            else:
                q = to_cyrillic(name)
            if not q:
                continue
            if rnd.random() < 0.3:
                typ = ""
            out.write(f"{want}\t{kind}\t{typ}\t{q}\n")
            written += 1
            continue
        if re.sub(r"[^a-z]", "", q.lower()) in listed:
            continue
        out.write(f"-\t{kind}\t{typ if rnd.random() < 0.7 else ''}\t{q}\n")
        written += 1


if __name__ == "__main__":
    main()
