#!/usr/bin/env python3
"""Builds the labelled name pairs of bench/data/screen_pairs.tsv, seeded.

usage: gen_screen_pairs.py NAMES.tsv SEED OUT.tsv

NAMES.tsv is `screen_bench names` output (list, key, type, quality, name)
for the UN list of 2026-02-27 and OFAC's SDN files of 2021-07-07.  Writes
lines

    name1 <TAB> name2 <TAB> type <TAB> label <TAB> category <TAB> provenance

label 1 for two names of one party, 0 for two parties; name2 is the listed
(or list-like) name, name1 the query.  Categories:

from the lists themselves
  alias            two names of one entry: another script, or another
                   spelling (as many words, give or take one, each
                   alike to one of the other's)                       match
  neg_company      two listed companies sharing a word               non-match
  neg_person       two listed persons with the same family name      non-match
  neg_vessel       two listed vessels with alike names               non-match
generated from listed names, one per cause of the issue
  typo             a letter dropped, doubled, swapped or replaced     match
  romanisation     Korean romanisation variants                       match
  hangul           a listed Korean name in Hangul                     match
  cyrillic         a listed Korean name in the Russian system         match
  reorder          "SURNAME, Given" as "Given SURNAME"                match
  legal_form       a company's legal form long for short or back      match
  korean_company   a listed DPRK company in Korean                    match
  initials         an acronym written with dots (K.O.M.I.D.)          match
  run_together     a person's words run together (KimJongUn)          match
generated from tables of names in their scripts
  chinese          Chinese characters / Pinyin (Mao Zedong)           match
  japanese         a Japanese name in kanji or kana / Hepburn         match
  arabic           Arabic script / a common English spelling          match
  thai_khmer       Thai or Khmer script / the usual Latin spelling    match
  cyrillic_letters Kazakh, Ukrainian, Belarusian letters / Latin      match
  word_order       two Korean words of a company's name swapped      non-match
  hangul_vowel     two Hangul names one vowel apart (ㅕ/ㅛ, ㅓ/ㅗ)   non-match
  unlisted_korean  a made-up Korean name / the listed Korean name
                   most like it                                      non-match

The provenance says where each pair came from: the list version and key
(and which names), or the generator and the listed name it started from.

bench/data/screen_pairs.tsv is this script's output with seed 11 on the
lists named above; `PAIRS=rebuild bench/screen_quality.sh` builds it again
(the same file, byte for byte).
"""
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_queries as gq  # noqa: E402  (the query generator's variant makers)

PER = 110   # pairs per generated category (about)

FORMS_LONG = [("CORPORATION", "CORP."), ("COMPANY LIMITED", "CO., LTD."), ("COMPANY", "CO."),
              ("LIMITED", "LTD."), ("INCORPORATED", "INC."),
              ("LIMITED LIABILITY COMPANY", "LLC"), ("AKTIENGESELLSCHAFT", "AG"),
              ("GESELLSCHAFT MIT BESCHRANKTER HAFTUNG", "GMBH"),
              ("JOINT STOCK COMPANY", "JSC")]

# Korean words of DPRK company names and their English (the lists' own
# translations: KOREA RYONBONG GENERAL CORPORATION, 조선련봉총회사).
KO_COMPANY = [("KOREA", "조선"), ("GENERAL CORPORATION", "총회사"), ("TRADING CORPORATION", "무역회사"),
              ("TRADING COMPANY", "무역회사"), ("TRADING", "무역"), ("BANK", "은행"),
              ("SHIPPING COMPANY", "해운회사"), ("SHIPPING", "해운"), ("CORPORATION", "회사"),
              ("COMPANY", "회사")]

CHINESE = {"毛": "mao", "泽": "ze", "东": "dong", "王": "wang", "李": "li", "张": "zhang",
           "刘": "liu", "陈": "chen", "杨": "yang", "黄": "huang", "赵": "zhao", "周": "zhou",
           "吴": "wu", "徐": "xu", "孙": "sun", "马": "ma", "朱": "zhu", "胡": "hu", "郭": "guo",
           "何": "he", "林": "lin", "罗": "luo", "高": "gao", "明": "ming", "华": "hua", "国": "guo",
           "建": "jian", "平": "ping", "伟": "wei", "强": "qiang", "军": "jun", "海": "hai",
           "文": "wen", "志": "zhi", "永": "yong", "春": "chun", "德": "de", "宏": "hong",
           "小": "xiao", "红": "hong", "丽": "li", "静": "jing", "敏": "min", "勇": "yong",
           "杰": "jie", "涛": "tao", "斌": "bin", "超": "chao", "秀": "xiu", "英": "ying",
           "金": "jin", "铁": "tie", "三": "san", "新": "xin", "中": "zhong", "光": "guang"}
CN_FAMILY = ["毛", "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马",
             "朱", "胡", "郭", "何", "林", "罗", "高", "金"]

# Japanese names: kanji, kana, Hepburn.
JA_FAMILY = [("佐藤", "さとう", "Sato"), ("鈴木", "すずき", "Suzuki"), ("高橋", "たかはし", "Takahashi"),
             ("田中", "たなか", "Tanaka"), ("伊藤", "いとう", "Ito"), ("渡辺", "わたなべ", "Watanabe"),
             ("山本", "やまもと", "Yamamoto"), ("中村", "なかむら", "Nakamura"),
             ("小林", "こばやし", "Kobayashi"), ("加藤", "かとう", "Kato"), ("吉田", "よしだ", "Yoshida"),
             ("山田", "やまだ", "Yamada"), ("佐々木", "ささき", "Sasaki"), ("松本", "まつもと", "Matsumoto"),
             ("井上", "いのうえ", "Inoue"), ("木村", "きむら", "Kimura"), ("林", "はやし", "Hayashi"),
             ("清水", "しみず", "Shimizu"), ("山口", "やまぐち", "Yamaguchi"), ("森", "もり", "Mori")]
JA_GIVEN = [("太郎", "たろう", "Taro"), ("花子", "はなこ", "Hanako"), ("健一", "けんいち", "Kenichi"),
            ("大輔", "だいすけ", "Daisuke"), ("翔太", "しょうた", "Shota"), ("由美", "ゆみ", "Yumi"),
            ("直樹", "なおき", "Naoki"), ("美香", "みか", "Mika"), ("誠", "まこと", "Makoto"),
            ("浩", "ひろし", "Hiroshi"), ("拓也", "たくや", "Takuya"), ("恵子", "けいこ", "Keiko"),
            ("明美", "あけみ", "Akemi"), ("隆", "たかし", "Takashi"), ("真一", "しんいち", "Shinichi"),
            ("和也", "かずや", "Kazuya"), ("裕子", "ゆうこ", "Yuko"), ("修", "おさむ", "Osamu")]

ARABIC = [("محمد", ["Muhammad", "Mohammed", "Mohamed"]), ("علي", ["Ali"]), ("حسن", ["Hassan", "Hasan"]),
          ("حسين", ["Hussein", "Husayn", "Hussain"]), ("أحمد", ["Ahmed", "Ahmad"]),
          ("عبد الله", ["Abdullah", "Abd Allah"]), ("خالد", ["Khalid", "Khaled"]), ("عمر", ["Omar", "Umar"]),
          ("يوسف", ["Yusuf", "Youssef"]), ("إبراهيم", ["Ibrahim"]), ("محمود", ["Mahmoud", "Mahmud"]),
          ("سعيد", ["Said", "Saeed"]), ("صالح", ["Salih", "Saleh"]), ("جمال", ["Jamal", "Gamal"]),
          ("ناصر", ["Nasser", "Nasir"]), ("كريم", ["Karim", "Kareem"]), ("رشيد", ["Rashid", "Rasheed"]),
          ("فاطمة", ["Fatima", "Fatimah"]), ("مريم", ["Maryam", "Mariam"]), ("زينب", ["Zainab", "Zaynab"]),
          ("عثمان", ["Uthman", "Othman"]), ("مصطفى", ["Mustafa", "Mostafa"]), ("طارق", ["Tariq", "Tarek"]),
          ("عادل", ["Adel", "Adil"]), ("سليمان", ["Sulaiman", "Suleiman"])]

THAI_KHMER = [("สมชาย", "Somchai"), ("สมศักดิ์", "Somsak"), ("ประยุทธ์", "Prayut"), ("ทักษิณ", "Thaksin"),
              ("สุเทพ", "Suthep"), ("อภิสิทธิ์", "Abhisit"), ("ชัยวัฒน์", "Chaiwat"), ("วิชัย", "Wichai"),
              ("สุรชัย", "Surachai"), ("ณัฐพล", "Nattaphon"),
              ("ហ៊ុន", "Hun"), ("សែន", "Sen"), ("សុខ", "Sok"), ("ចាន់", "Chan"), ("សម", "Sam"),
              ("រង្ស៊ី", "Rainsy"), ("ឃៀវ", "Khieu"), ("សំផន", "Samphan"), ("នួន", "Nuon"), ("ជា", "Chea")]

CYR_LETTERS = [("Нұрсұлтан Назарбаев", "Nursultan Nazarbayev"), ("Қасым-Жомарт Тоқаев", "Kassym-Jomart Tokayev"),
               ("Қайрат Әбдірахманов", "Kairat Abdrakhmanov"), ("Ерұлан Қожахметов", "Erulan Kozhakhmetov"),
               ("Ғалымжан Құдайбергенов", "Galymzhan Kudaibergenov"), ("Айгүл Сұлтанова", "Aigul Sultanova"),
               ("Олексій Резніков", "Oleksii Reznikov"), ("Їжакевич Ігор", "Yizhakevych Ihor"),
               ("Євген Марчук", "Yevhen Marchuk"), ("Віталій Кличко", "Vitalii Klychko"),
               ("Юлія Тимошенко", "Yuliia Tymoshenko"), ("Ірина Геращенко", "Iryna Herashchenko"),
               ("Аляксандр Лукашэнка", "Aliaksandr Lukashenka"), ("Ўладзімір Макей", "Uladzimir Makei"),
               ("Віктар Шэйман", "Viktar Sheiman"), ("Натальля Качанава", "Natallia Kachanava"),
               ("Андрэй Раўкоў", "Andrei Raukou"), ("Мікалай Статкевіч", "Mikalai Statkevich"),
               ("Дәулет Тұрлыханов", "Daulet Turlykhanov"), ("Єгор Ґудзь", "Yehor Gudz")]

# Romanised syllables of DPRK company names beside those of persons.
SYLLABLES = dict(gq.HANGUL, **{
    "ryon": "련", "ryong": "룡", "tan": "단", "gun": "군", "so": "소", "mi": "미", "rim": "림",
    "pong": "봉", "tae": "태", "dae": "대", "kum": "금", "gang": "강", "hung": "흥", "chil": "칠",
    "sol": "솔", "hyang": "향", "mok": "목", "ran": "란", "dang": "당", "ma": "마", "haeng": "행",
    "ryon": "련", "sae": "새", "pyol": "별", "ha": "하", "na": "나", "ro": "로", "sa": "사",
    "pu": "부", "kyo": "교", "mo": "모", "sil": "실", "yo": "요", "san": "산", "chong": "청",
    "tok": "덕", "rak": "락", "won": "원", "pi": "비", "pae": "배", "kon": "곤", "sok": "석",
    "hap": "합", "hwan": "환", "mil": "밀", "chun": "춘", "nung": "능", "ra": "라", "mun": "문"})


def to_syllables(word):
    """A romanised word as Hangul syllables of SYLLABLES, or None."""
    best = {0: ""}
    for i in range(len(word)):
        if i not in best:
            continue
        for j in range(i + 1, min(len(word), i + 5) + 1):
            if word[i:j] in SYLLABLES and j not in best:
                best[j] = best[i] + SYLLABLES[word[i:j]]
    return best.get(len(word))
# Syllables one vowel apart (ㅕ/ㅛ, ㅓ/ㅗ) that romanise alike in some system.
VOWEL_PAIRS = [("영", "용"), ("연", "욘"), ("현", "횬"), ("명", "묭"), ("성", "송"), ("정", "종"),
               ("선", "손"), ("철", "촐"), ("청", "총"), ("석", "속"), ("범", "봄"), ("덕", "독")]


def norm_words(name):
    return [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]


def jw_like(a, b):
    """A rough likeness of two strings (shared bigrams), for picking pairs."""
    ba = {a[i:i + 2] for i in range(len(a) - 1)}
    bb = {b[i:i + 2] for i in range(len(b) - 1)}
    return len(ba & bb) / max(1, len(ba | bb))


def spelling(a, b):
    """Whether two names are spellings of one another rather than other
    names: as many words (one more or less), and each word of the shorter
    alike (shared letter pairs) to a word of the longer."""
    a = [w for w in a if len(w) > 1]
    b = [w for w in b if len(w) > 1]
    if not a or not b or abs(len(a) - len(b)) > 1:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return all(any(w == v or jw_like(w, v) >= 0.4 for v in long_) for w in short)


def script(name):
    for ch in name:
        o = ord(ch)
        if o > 0x24F:
            return "other"
    return "latin"


def main():
    src, seed, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rnd = random.Random(seed)
    entries = {}
    for line in open(src, encoding="utf-8"):
        lst, key, typ, quality, name = line.rstrip("\n").split("\t")
        e = entries.setdefault((lst, key), {"type": typ, "names": []})
        e["names"].append((quality, name))
    keys = sorted(entries)
    out = []

    def add(n1, n2, typ, label, cat, prov):
        if n1 and n2 and n1 != n2 and "\t" not in n1 + n2:
            out.append((n1, n2, typ, label, cat, prov))

    # ---- from the lists -------------------------------------------------
    aliases = []
    for k in keys:
        e = entries[k]
        names = [n for q, n in e["names"] if q != "weak"]
        if len(names) < 2:
            continue
        first = names[0]
        for other in names[1:]:
            if script(other) != "latin" or script(first) != "latin":
                aliases.append((other, first, e["type"], k, "script"))
                continue
            if spelling(norm_words(first), norm_words(other)):
                aliases.append((other, first, e["type"], k, "spelling"))
    rnd.shuffle(aliases)
    for n1, n2, typ, (lst, key), why in aliases[:700]:
        add(n1, n2, typ, 1, "alias", f"{lst}:{key} alias ({why})")
    primaries = [(k, entries[k]["type"], entries[k]["names"][0][1]) for k in keys]
    by_type = {}
    for k, typ, name in primaries:
        by_type.setdefault(typ, []).append((k, name))
    # companies sharing a word that is not a legal form
    word_index = {}
    for k, name in by_type.get("company", []):
        for w in sorted(set(norm_words(name))):
            if len(w) > 3 and w not in ("korea", "trading", "company", "corporation", "limited", "general",
                                        "bank", "international", "group", "industrial", "shipping"):
                word_index.setdefault(w, []).append((k, name))
    groups = [v for v in word_index.values() if 2 <= len(v) <= 30]
    rnd.shuffle(groups)
    for g in groups[:260]:
        (k1, a), (k2, b) = rnd.sample(g, 2)
        if k1 != k2:
            add(a, b, "company", 0, "neg_company", f"{k1[0]}:{k1[1]} / {k2[0]}:{k2[1]} share a word")
    fam_index = {}
    for k, name in by_type.get("person", []):
        fam = norm_words(name.split(",")[0])[:1] if "," in name else norm_words(name)[:1]
        if fam:
            fam_index.setdefault(fam[0], []).append((k, name))
    groups = [v for v in fam_index.values() if len(v) >= 2]
    rnd.shuffle(groups)
    for g in groups[:260]:
        (k1, a), (k2, b) = rnd.sample(g, 2)
        if k1 != k2:
            add(a, b, "person", 0, "neg_person", f"{k1[0]}:{k1[1]} / {k2[0]}:{k2[1]} share the family name")
    vessels = by_type.get("vessel", [])
    vpairs = []
    for i, (k1, a) in enumerate(vessels):
        for k2, b in vessels[i + 1:]:
            s = jw_like(a.lower(), b.lower())
            if s >= 0.3 and a.lower() != b.lower():
                vpairs.append((s, k1, a, k2, b))
    vpairs.sort(reverse=True)
    for s, k1, a, k2, b in vpairs[:150]:
        add(a, b, "vessel", 0, "neg_vessel", f"{k1[0]}:{k1[1]} / {k2[0]}:{k2[1]} alike vessel names")

    # ---- generated from listed names -------------------------------------
    def listed(typ=None, pred=None):
        pool = [(k, t, n) for k, t, n in primaries if (typ is None or t == typ) and (pred is None or pred(n))]
        rnd.shuffle(pool)
        return pool

    def gen(cat, pool, make, label=1):
        done = 0
        for k, typ, name in pool:
            q = make(name)
            if q and q != name:
                add(q, name, typ, label, cat, f"{k[0]}:{k[1]} {cat}")
                done += 1
            if done >= PER:
                break

    kor = listed("person", gq.korean)
    gen("typo", listed(), lambda n: gq.typo(rnd, n))
    gen("romanisation", kor, lambda n: gq.romanise_variant(rnd, n))
    gen("hangul", kor, gq.to_hangul)
    gen("cyrillic", kor, gq.to_cyrillic)
    gen("reorder", listed("person", lambda n: "," in n), lambda n: gq.reorder(n, "person"))

    def legal(name):
        up = name.upper()
        for long, short in FORMS_LONG:
            if re.search(r"\b" + re.escape(long) + r"\b", up):
                return re.sub(r"\b" + re.escape(long) + r"\b", short, up)
            if re.search(r"(?<!\w)" + re.escape(short) + r"(?!\w)", up):
                return re.sub(r"(?<!\w)" + re.escape(short) + r"(?!\w)", long, up)
        return None
    gen("legal_form", listed("company"), legal)

    def korean_company(name):
        up = re.sub(r"[^A-Z ]", " ", name.upper())
        up = re.sub(r"\s+", " ", up).strip()
        out_s, rest = "", up
        if rest.startswith("KOREA "):
            out_s, rest = "조선", rest[6:]
        words = rest.split()
        middle = []
        while words and to_syllables(words[0].lower()):
            middle.append(to_syllables(words.pop(0).lower()))
        if not middle:
            return None
        tail = " ".join(words)
        for eng, ko in KO_COMPANY:
            if tail == eng:
                return out_s + "".join(middle) + ko
        return None
    gen("korean_company", listed("company", lambda n: " " in n), korean_company)

    def initials(name):
        w = name.strip()
        if re.fullmatch(r"[A-Z]{3,6}", w):
            return ".".join(w) + "."
        return None
    acr = [(k, e["type"], n) for k in keys for e in [entries[k]] for q, n in e["names"]
           if re.fullmatch(r"[A-Z]{3,6}", n.strip())]
    rnd.shuffle(acr)
    gen("initials", acr, initials)

    def run_together(name):
        words = norm_words(name.replace(",", " "))
        if not 2 <= len(words) <= 4:
            return None
        return "".join(w.capitalize() for w in words)
    gen("run_together", listed("person"), run_together)

    # two Korean words of a company name swapped: another name (Ryong Tae
    # Trading is not Tae Ryong Trading)
    syllables = sorted(gq.HANGUL)
    for i in range(PER):
        a, b = rnd.sample(syllables, 2)
        tail = rnd.choice(["Trading", "Trading Company", "Shipping", "General Corporation", "Bank"])
        lead = rnd.choice(["", "Korea "])
        add(f"{lead}{b.title()} {a.title()} {tail}", f"{lead}{a.title()} {b.title()} {tail}", "company", 0,
            "word_order", "generated: two Korean words of a company name swapped")

    # ---- generated from tables --------------------------------------------
    done = 0
    while done < PER:
        fam = rnd.choice(CN_FAMILY)
        given = rnd.sample([c for c in CHINESE if c not in CN_FAMILY], rnd.choice([1, 2]))
        han = fam + "".join(given)
        lat = CHINESE[fam].capitalize() + " " + "".join(CHINESE[g] for g in given).capitalize()
        add(han, lat, "person", 1, "chinese", "table: Chinese characters and Pinyin")
        done += 1
    add("毛泽东", "Mao Zedong", "person", 1, "chinese", "issue 11 example")
    for i in range(PER):
        f = rnd.choice(JA_FAMILY)
        g = rnd.choice(JA_GIVEN)
        if i % 3 == 0:
            q = f[1] + " " + g[1]
        else:
            q = f[0] + g[0] if i % 3 == 1 else f[0] + " " + g[0]
        add(q, f[2] + " " + g[2], "person", 1, "japanese", "table: Japanese names in kanji, kana, Hepburn")
    for i in range(PER):
        parts = rnd.sample(ARABIC, rnd.choice([2, 3]))
        add(" ".join(p[0] for p in parts), " ".join(rnd.choice(p[1]) for p in parts), "person", 1,
            "arabic", "table: Arabic names and English spellings")
    for i in range(PER):
        a, b = rnd.sample(THAI_KHMER[:10], 2) if i % 2 == 0 else rnd.sample(THAI_KHMER[10:], 2)
        add(a[0] + " " + b[0], a[1] + " " + b[1], "person", 1, "thai_khmer",
            "table: Thai and Khmer names and their Latin spellings")
    for i in range(PER):
        cyr, lat = CYR_LETTERS[i % len(CYR_LETTERS)]
        if i >= len(CYR_LETTERS):
            words = cyr.split()
            rnd.shuffle(words)
            cyr = " ".join(words)
        add(cyr, lat, "person", 1, "cyrillic_letters", "table: Kazakh, Ukrainian, Belarusian names")
    for i in range(PER):
        fam = rnd.choice(gq.FAMILIES)
        a, b = rnd.sample(VOWEL_PAIRS, 1)[0], rnd.choice(gq.GIVEN)
        g2 = gq.HANGUL[b]
        n1 = gq.HANGUL[fam] + a[0] + g2
        n2 = gq.HANGUL[fam] + a[1] + g2
        if i % 2:
            n1, n2 = n2, n1
        add(n1, n2, "person", 0, "hangul_vowel", "generated: Hangul names one vowel apart")
    add("최용호", "최영호", "person", 0, "hangul_vowel", "issue 11 example")
    add("조선련봉총회사", "KOREA RYONBONG GENERAL CORPORATION", "company", 1, "korean_company",
        "issue 11 example (UN KPe.002 / OFAC 9347)")
    add("K.O.M.I.D.", "KOMID", "company", 1, "initials", "issue 11 example (OFAC 9345 weak alias)")
    add("KimJongUn", "KIM JONG UN", "person", 1, "run_together", "issue 11 example")
    add("Ryong Tae Trading", "Tae Ryong Trading", "company", 0, "word_order", "issue 11 example")
    add("Siemens Aktiengesellschaft", "SIEMENS AG", "company", 1, "legal_form", "issue 11 example")
    # unlisted Korean names, each with the listed Korean name most like it
    listed_kor = [(k, n, set(norm_words(n))) for k, t, n in kor]
    listed_set = {" ".join(sorted(norm_words(n))) for k, t, n in primaries}
    done = 0
    while done < 2 * PER:
        fam = rnd.choice(gq.FAMILIES)
        given = rnd.sample(gq.GIVEN, 2)
        q = (fam + " " + given[0] + " " + given[1]).title()
        if " ".join(sorted(norm_words(q))) in listed_set:
            continue
        words = set(norm_words(q))
        best = max(listed_kor, key=lambda x: (len(words & x[2]), fam in x[2]))
        add(q, best[1], "person", 0, "unlisted_korean",
            f"generated; {best[0][0]}:{best[0][1]} shares the most words")
        done += 1

    with open(dst, "w", encoding="utf-8") as f:
        f.write("# name1\tname2\ttype\tlabel\tcategory\tprovenance\n")
        for row in out:
            f.write("\t".join(str(x) for x in row) + "\n")
    cats = {}
    for row in out:
        cats[row[4]] = cats.get(row[4], 0) + 1
    print(f"{len(out)} pairs: " + ", ".join(f"{k} {v}" for k, v in sorted(cats.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
