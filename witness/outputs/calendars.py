"""RFC 5545 feeds per audience (R-63): what each audience's event says, and the .ics itself.

Two pure steps. `contents(...)` decides what each audience may see of one hearing — the privacy
rules live here: pseudonyms only, the escort feed carries a pickup *reference* (never an address),
the victim's feed says only what the victim needs, in their language. `render(...)` turns stored
events (UID, SEQUENCE, status, content) into a METHOD:PUBLISH calendar with VTIMEZONE and VALARM;
a cancelled event stays in the feed with STATUS:CANCELLED so subscribed calendars remove it.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from witness.outputs import ics

AUDIENCES = ("coordinator", "prosecutor", "escort", "interpreter", "victim", "guardian")
STAFF_AUDIENCES = AUDIENCES[:4]
PRODID = "-//witness//hearing calendars//EN"
# RFC 5546 wants an ORGANIZER on a published event. A fixed, non-routable address: no person, no
# office, nothing that tells a reader over the victim's shoulder who is behind the calendar.
ORGANIZER = "mailto:calendar@witness.invalid"
KEEP_CANCELLED_DAYS = 30
_NAMESPACE = uuid.UUID("5d1f0c0e-7a0b-4f43-9a3e-1f6c7b2e8d44")  # a cancelled event stays this long so every subscriber sees it go

# Short strings for the victim's and guardian's feeds. Plain words, nothing that names the crime
# or the victim. Drafted for this feature: each language needs a check by a native speaker who
# works with victims before it is relied on. Missing languages fall back to English and the
# coordinator gets a task to go through the dates with an interpreter.
VICTIM_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "recorded": "Your recorded statement will be shown; you do not need to come.",
        "calendar": "My appointments", "hearing": "Court hearing", "cancelled": "Cancelled: court hearing",
        "moved": "The date or time has changed.", "pickup": "You will be picked up at {time}.",
        "video": "You will speak by video link, not in the courtroom.",
        "screen": "A screen will be in place so you do not see the accused.",
        "waiting": "A separate waiting room is ready for you.", "place": "Place: {court}",
        "call": "Questions or worries? Call your coordinator.", "reminder_day": "Court hearing tomorrow",
        "reminder_soon": "Court hearing in 3 hours",
        "cancelled_note": "This hearing will not take place. Your coordinator will tell you what happens next.",
    },
    "th": {
        "recorded": "ศาลจะใช้คำให้การที่บันทึกไว้ คุณไม่ต้องไปศาล",
        "calendar": "นัดหมายของฉัน", "hearing": "นัดศาล", "cancelled": "ยกเลิก: นัดศาล",
        "moved": "วันหรือเวลานัดเปลี่ยนแล้ว", "pickup": "จะมีเจ้าหน้าที่มารับคุณเวลา {time} น.",
        "video": "คุณจะให้การผ่านวิดีโอ ไม่ต้องเข้าไปในห้องพิจารณาคดี",
        "screen": "จะมีฉากกั้น คุณจะไม่ต้องเห็นจำเลย", "waiting": "มีห้องรอแยกไว้ให้คุณ",
        "place": "สถานที่: {court}", "call": "มีคำถามหรือกังวลใจ โทรหาผู้ประสานงานของคุณ",
        "reminder_day": "พรุ่งนี้มีนัดศาล", "reminder_soon": "อีก 3 ชั่วโมงมีนัดศาล",
        "cancelled_note": "นัดนี้ยกเลิกแล้ว ผู้ประสานงานจะแจ้งให้คุณทราบว่าจะเกิดอะไรขึ้นต่อไป",
    },
    "id": {
        "recorded": "Rekaman keterangan Anda akan diputar; Anda tidak perlu datang.",
        "calendar": "Janji saya", "hearing": "Sidang pengadilan", "cancelled": "Dibatalkan: sidang pengadilan",
        "moved": "Tanggal atau waktunya berubah.", "pickup": "Anda akan dijemput pukul {time}.",
        "video": "Anda akan memberi keterangan melalui video, tidak di ruang sidang.",
        "screen": "Akan ada tabir sehingga Anda tidak melihat terdakwa.",
        "waiting": "Ruang tunggu terpisah sudah disiapkan untuk Anda.", "place": "Tempat: {court}",
        "call": "Ada pertanyaan atau kekhawatiran? Hubungi pendamping Anda.",
        "reminder_day": "Besok ada sidang pengadilan", "reminder_soon": "Sidang pengadilan 3 jam lagi",
        "cancelled_note": "Sidang ini tidak jadi diadakan. Pendamping Anda akan memberi tahu langkah selanjutnya.",
    },
    "my": {
        "recorded": "သင်၏ မှတ်တမ်းတင်ထားသော ထွက်ဆိုချက်ကို ပြသပါမည်။ သင် လာရန် မလိုပါ။",
        "calendar": "ကျွန်ုပ်၏ ချိန်းဆိုမှုများ", "hearing": "တရားရုံး ရုံးချိန်း",
        "cancelled": "ပယ်ဖျက်ပြီး - တရားရုံး ရုံးချိန်း", "moved": "ရက် သို့မဟုတ် အချိန် ပြောင်းလဲသွားပါပြီ။",
        "pickup": "{time} တွင် သင့်ကို လာကြိုပါမည်။",
        "video": "သင်သည် တရားခွင်ထဲ မဝင်ဘဲ ဗီဒီယိုမှတစ်ဆင့် ထွက်ဆိုရပါမည်။",
        "screen": "တရားခံကို သင် မမြင်ရစေရန် ကာရံထားပါမည်။",
        "waiting": "သင့်အတွက် သီးသန့် စောင့်ဆိုင်းခန်း ပြင်ဆင်ထားပါသည်။", "place": "နေရာ - {court}",
        "call": "မေးစရာ သို့မဟုတ် စိုးရိမ်စရာ ရှိပါက သင်၏ ညှိနှိုင်းရေးမှူးကို ဖုန်းဆက်ပါ။",
        "reminder_day": "မနက်ဖြန် တရားရုံး ရုံးချိန်း ရှိပါသည်",
        "reminder_soon": "၃ နာရီအကြာတွင် တရားရုံး ရုံးချိန်း ရှိပါသည်",
        "cancelled_note": "ဤရုံးချိန်း မရှိတော့ပါ။ နောက်ထပ် ဘာဖြစ်မည်ကို သင်၏ ညှိနှိုင်းရေးမှူးက ပြောပြပါမည်။",
    },
    "km": {
        "recorded": "សក្ខីកម្មដែលបានថតទុករបស់អ្នកនឹងត្រូវបានបង្ហាញ។ អ្នកមិនចាំបាច់មកទេ។",
        "calendar": "ការណាត់ជួបរបស់ខ្ញុំ", "hearing": "សវនាការនៅតុលាការ", "cancelled": "បានលុបចោល៖ សវនាការនៅតុលាការ",
        "moved": "កាលបរិច្ឆេទ ឬម៉ោងបានផ្លាស់ប្តូរ។", "pickup": "នឹងមានគេមកទទួលអ្នកនៅម៉ោង {time}។",
        "video": "អ្នកនឹងនិយាយតាមវីដេអូ មិនមែននៅក្នុងបន្ទប់សវនាការទេ។",
        "screen": "នឹងមានរបាំង ដើម្បីកុំឱ្យអ្នកឃើញជនជាប់ចោទ។", "waiting": "មានបន្ទប់រង់ចាំដាច់ដោយឡែកសម្រាប់អ្នក។",
        "place": "ទីកន្លែង៖ {court}", "call": "មានសំណួរ ឬកង្វល់? សូមទូរស័ព្ទទៅអ្នកសម្របសម្រួលរបស់អ្នក។",
        "reminder_day": "ថ្ងៃស្អែកមានសវនាការនៅតុលាការ", "reminder_soon": "សវនាការនៅតុលាការក្នុងរយៈពេល ៣ ម៉ោងទៀត",
        "cancelled_note": "សវនាការនេះនឹងមិនធ្វើឡើងទេ។ អ្នកសម្របសម្រួលរបស់អ្នកនឹងប្រាប់អ្នកពីអ្វីដែលនឹងកើតឡើងបន្ទាប់។",
    },
    "vi": {
        "recorded": "Lời khai đã ghi hình của bạn sẽ được trình chiếu; bạn không cần đến.",
        "calendar": "Lịch hẹn của tôi", "hearing": "Phiên tòa", "cancelled": "Đã hủy: phiên tòa",
        "moved": "Ngày hoặc giờ đã thay đổi.", "pickup": "Sẽ có người đón bạn lúc {time}.",
        "video": "Bạn sẽ khai qua video, không phải trong phòng xử án.",
        "screen": "Sẽ có tấm chắn để bạn không nhìn thấy bị cáo.", "waiting": "Có phòng chờ riêng dành cho bạn.",
        "place": "Địa điểm: {court}", "call": "Có câu hỏi hoặc lo lắng? Hãy gọi cho điều phối viên của bạn.",
        "reminder_day": "Ngày mai có phiên tòa", "reminder_soon": "Phiên tòa sau 3 giờ nữa",
        "cancelled_note": "Phiên tòa này sẽ không diễn ra. Điều phối viên sẽ cho bạn biết bước tiếp theo.",
    },
    "ms": {
        "recorded": "Rakaman keterangan anda akan ditayangkan; anda tidak perlu hadir.",
        "calendar": "Temu janji saya", "hearing": "Perbicaraan mahkamah", "cancelled": "Dibatalkan: perbicaraan mahkamah",
        "moved": "Tarikh atau masa telah berubah.", "pickup": "Anda akan diambil pada pukul {time}.",
        "video": "Anda akan memberi keterangan melalui pautan video, bukan di dalam bilik mahkamah.",
        "screen": "Tabir akan dipasang supaya anda tidak melihat tertuduh.",
        "waiting": "Bilik menunggu berasingan disediakan untuk anda.", "place": "Tempat: {court}",
        "call": "Ada soalan atau kebimbangan? Hubungi penyelaras anda.",
        "reminder_day": "Perbicaraan mahkamah esok", "reminder_soon": "Perbicaraan mahkamah dalam 3 jam",
        "cancelled_note": "Perbicaraan ini tidak akan diadakan. Penyelaras anda akan memberitahu langkah seterusnya.",
    },
}


# The victim's own dated obligations besides hearings: an interview or examination they agreed
# to, the end of their reflection period, a restitution instalment due to them. Same review rule as
# above; nothing names the crime, the case or the accused.
_DATED: dict[str, dict[str, str]] = {
    "en": {"interview": "Interview", "testimony": "Giving your statement", "medical_exam": "Medical examination",
           "appointment_note": "You agreed to this. You can say no or ask to change it at any time.",
           "reflection_end": "Your time to rest and decide ends",
           "reflection_note": "Nobody will rush you. You can ask your coordinator for more time.",
           "instalment": "Compensation payment due",
           "instalment_note": "A payment of your compensation is due today. Tell your coordinator if it does not arrive."},
    "th": {"interview": "การให้สัมภาษณ์", "testimony": "การให้การ", "medical_exam": "การตรวจร่างกาย",
           "appointment_note": "คุณตกลงนัดนี้แล้ว คุณปฏิเสธหรือขอเปลี่ยนได้ทุกเมื่อ",
           "reflection_end": "สิ้นสุดช่วงเวลาพักและตัดสินใจ",
           "reflection_note": "ไม่มีใครเร่งรัดคุณ คุณขอเวลาเพิ่มจากผู้ประสานงานได้",
           "instalment": "กำหนดรับเงินชดเชย",
           "instalment_note": "วันนี้เป็นวันครบกำหนดจ่ายเงินชดเชยงวดหนึ่ง หากไม่ได้รับ โปรดแจ้งผู้ประสานงานของคุณ"},
    "id": {"interview": "Wawancara", "testimony": "Memberi keterangan", "medical_exam": "Pemeriksaan kesehatan",
           "appointment_note": "Anda sudah menyetujui ini. Anda boleh menolak atau meminta perubahan kapan saja.",
           "reflection_end": "Akhir masa istirahat dan berpikir Anda",
           "reflection_note": "Tidak ada yang akan memaksa Anda. Anda bisa meminta waktu tambahan kepada pendamping Anda.",
           "instalment": "Pembayaran ganti rugi jatuh tempo",
           "instalment_note": "Hari ini satu cicilan ganti rugi Anda jatuh tempo. Beri tahu pendamping Anda jika belum "
                              "diterima."},
    "my": {"interview": "တွေ့ဆုံမေးမြန်းခြင်း", "testimony": "ထွက်ဆိုချက်ပေးခြင်း", "medical_exam": "ဆေးစစ်ခြင်း",
           "appointment_note": "သင် ဤချိန်းဆိုမှုကို သဘောတူထားပါသည်။ အချိန်မရွေး ငြင်းဆိုနိုင်သည် သို့မဟုတ် "
                               "ပြောင်းလဲရန် တောင်းဆိုနိုင်ပါသည်။",
           "reflection_end": "သင်၏ အနားယူပြီး စဉ်းစားဆုံးဖြတ်ရန် ကာလ ပြီးဆုံးမည့်ရက်",
           "reflection_note": "မည်သူမျှ သင့်ကို အလျင်စလို မတောင်းဆိုပါ။ သင်၏ ညှိနှိုင်းရေးမှူးထံ အချိန်ပိုတောင်းနိုင်ပါသည်။",
           "instalment": "လျော်ကြေးငွေ ရရှိရမည့်ရက်",
           "instalment_note": "ယနေ့ သင်၏ လျော်ကြေးငွေ တစ်ရစ် ရရှိရမည့်ရက် ဖြစ်ပါသည်။ မရရှိပါက သင်၏ "
                              "ညှိနှိုင်းရေးမှူးကို အသိပေးပါ။"},
    "km": {"interview": "ការសម្ភាសន៍", "testimony": "ការផ្តល់សក្ខីកម្ម", "medical_exam": "ការពិនិត្យសុខភាព",
           "appointment_note": "អ្នកបានយល់ព្រមលើការណាត់នេះ។ អ្នកអាចបដិសេធ ឬស្នើសុំផ្លាស់ប្តូរបានគ្រប់ពេល។",
           "reflection_end": "ចុងបញ្ចប់នៃរយៈពេលសម្រាក និងគិតពិចារណារបស់អ្នក",
           "reflection_note": "គ្មាននរណាបង្ខំអ្នកទេ។ អ្នកអាចស្នើសុំពេលវេលាបន្ថែមពីអ្នកសម្របសម្រួលរបស់អ្នក។",
           "instalment": "ថ្ងៃកំណត់ទទួលប្រាក់សំណង",
           "instalment_note": "ថ្ងៃនេះដល់ថ្ងៃកំណត់ប្រាក់សំណងមួយដំណាក់កាលរបស់អ្នក។ សូមប្រាប់អ្នកសម្របសម្រួលរបស់អ្នក "
                              "ប្រសិនបើមិនទាន់ទទួលបាន។"},
    "vi": {"interview": "Phỏng vấn", "testimony": "Cung cấp lời khai", "medical_exam": "Khám sức khỏe",
           "appointment_note": "Bạn đã đồng ý việc này. Bạn có thể từ chối hoặc xin thay đổi bất cứ lúc nào.",
           "reflection_end": "Kết thúc thời gian nghỉ ngơi và suy nghĩ của bạn",
           "reflection_note": "Không ai thúc ép bạn. Bạn có thể xin điều phối viên thêm thời gian.",
           "instalment": "Đến hạn nhận tiền bồi thường",
           "instalment_note": "Hôm nay đến hạn một đợt tiền bồi thường của bạn. Hãy báo cho điều phối viên nếu bạn "
                              "chưa nhận được."},
    "ms": {"interview": "Temu bual", "testimony": "Memberi keterangan", "medical_exam": "Pemeriksaan perubatan",
           "appointment_note": "Anda telah bersetuju. Anda boleh menolak atau meminta perubahan pada bila-bila masa.",
           "reflection_end": "Tamat tempoh rehat dan berfikir anda",
           "reflection_note": "Tiada sesiapa akan mendesak anda. Anda boleh meminta masa tambahan daripada penyelaras anda.",
           "instalment": "Bayaran pampasan perlu dibayar",
           "instalment_note": "Satu ansuran pampasan anda perlu dibayar hari ini. Beritahu penyelaras anda jika ia "
                              "tidak diterima."},
}
for _lang, _extra in _DATED.items():
    VICTIM_TEXT[_lang].update(_extra)


def victim_language(lang: str | None) -> str:
    """The language the victim's feed is written in: theirs if we have it, else English."""
    base = (lang or "en").split("-")[0].lower()
    return base if base in VICTIM_TEXT else "en"


# --- what each audience sees -----------------------------------------------------------------

@dataclass(frozen=True)
class WitnessView:
    case_id: str  # pseudonym
    coordinator: str
    mode: str
    language: str | None  # the victim's preferred language
    guardian_language: str | None  # None when no guardian is recorded
    pickup_ref: str
    interpreter: str | None
    interpreter_language: str | None
    measures: tuple[tuple[str, str, str | None, bool], ...]  # (kind, status, request_by ISO, late)
    escort_team: tuple[str, ...]
    escort_start: datetime | None
    escort_end: datetime | None
    gaps: tuple[str, ...]  # conflict lines (pseudonyms and ids only)


@dataclass(frozen=True)
class HearingView:
    id: str
    docket: str
    court: str
    room: str | None
    kind: str
    tz: str
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    moved_from: datetime | None
    prosecutor: str | None
    witnesses: tuple[WitnessView, ...]


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None


def contents(h: HearingView) -> dict[tuple[str, str], dict]:
    """{(audience, subject): content} for one active hearing. Subjects: the coordinator's and the
    prosecutor's user names, the officer's and the interpreter's ids, and the case pseudonym for
    the victim's and the guardian's feeds."""
    base = {"tz": h.tz, "start": _iso(h.starts_at), "end": _iso(h.ends_at), "hearing": h.id}
    place = {"court": h.court, "room": h.room}
    out: dict[tuple[str, str], dict] = {}
    staff = {**base, **place, "docket": h.docket, "kind": h.kind, "moved_from": _iso(h.moved_from)}
    for coordinator in sorted({w.coordinator for w in h.witnesses}):
        out[("coordinator", coordinator)] = {**staff, "witnesses": [
            {"case": w.case_id, "mode": w.mode, "measures": [[k, s] for k, s, _, _ in w.measures],
             "escort": list(w.escort_team), "pickup_at": _iso(w.escort_start), "pickup_ref": w.pickup_ref,
             "interpreter": w.interpreter, "gaps": list(w.gaps)}
            for w in h.witnesses if w.coordinator == coordinator]}
    if h.prosecutor:
        out[("prosecutor", h.prosecutor)] = {**staff, "witnesses": [
            {"case": w.case_id, "mode": w.mode,
             "measures": [{"kind": k, "status": s, "request_by": by, "late": late} for k, s, by, late in w.measures]}
            for w in h.witnesses]}
    for w in h.witnesses:
        for officer in w.escort_team:
            out[("escort", officer)] = {
                **place, "tz": h.tz, "start": _iso(w.escort_start), "end": _iso(w.escort_end), "hearing": h.id,
                "case": w.case_id, "pickup_ref": w.pickup_ref, "team": list(w.escort_team), "mode": w.mode,
                "hearing_start": _iso(h.starts_at), "hearing_end": _iso(h.ends_at)}
        if w.interpreter:
            out[("interpreter", w.interpreter)] = {**base, **place, "case": w.case_id,
                                                   "language": w.interpreter_language or w.language}
        granted = {k for k, s, _, _ in w.measures if s in ("granted", "partially_granted", "scheduled", "delivered")}
        victim = {**base, "court": h.court, "mode": w.mode, "pickup_at": _iso(w.escort_start),
                  "screen": "screen" in granted, "waiting_room": "separate_waiting_room" in granted,
                  "moved": h.moved_from is not None}
        out[("victim", w.case_id)] = {**victim, "lang": victim_language(w.language)}
        if w.guardian_language is not None:
            out[("guardian", w.case_id)] = {**victim, "lang": victim_language(w.guardian_language or w.language)}
    return out


def body(content: dict) -> str:
    """An event's content as stored: the same text for the same content, whatever the key order."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False)


def fingerprint(content: dict, status: str) -> str:
    return fingerprint_of(body(content), status)


def fingerprint_of(stored: str, status: str) -> str:
    """The fingerprint of content already serialised by `body` (the sweep compares thousands of
    events a day: serialising each once, not twice)."""
    return hashlib.sha256((status + stored).encode()).hexdigest()


# --- rendering -------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoredEvent:
    uid: str
    sequence: int
    status: str  # CONFIRMED | CANCELLED
    changed_at: datetime
    content: dict
    fingerprint: str | None = None  # the stored fingerprint of (status, content): its serialised bytes are cached by it


def calendar_name(audience: str, subject: str, lang: str = "en") -> str:
    if audience in ("victim", "guardian"):
        return VICTIM_TEXT[victim_language(lang)]["calendar"]
    return {"coordinator": "Hearings", "prosecutor": "Hearings", "escort": "Escort assignments",
            "interpreter": "Interpreting"}[audience] + f" – {subject}"


# Serialised events, by what identifies their content (ics.EventCache): an export re-serialises only
# the events that changed since the last one.
EVENTS = ics.EventCache()


def render(audience: str, subject: str, events: list[StoredEvent], lang: str = "en", calendar_uid: str | None = None,
           extra: list[str] = (), extra_zones: list[str] = ()) -> bytes:
    """The feed: METHOD:PUBLISH, one VTIMEZONE per zone used, events in (start, uid) order, then
    `extra` (already serialised events, e.g. the dated obligations of services/obligations.py)."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    zones = {e.content["tz"] for e in events} | set(extra_zones)
    items = [event_text(audience, e) for e in sorted(events, key=lambda e: (e.content["start"], e.uid))]
    # A stable calendar UID (icalendar would invent a random one): the same state, the same bytes.
    uid = calendar_uid or str(uuid.uuid5(_NAMESPACE, f"{audience}:{subject}"))
    return ics.vcalendar(prodid=PRODID, name=calendar_name(audience, subject, lang), uid=uid, zones=sorted(zones),
                         events=items + list(extra))


def event_text(audience: str, e: StoredEvent) -> str:
    """One stored event as RFC 5545 text, from the cache when its fingerprint is known."""
    if e.fingerprint is None:
        return _serialise(audience, e)
    return EVENTS.get((audience, e.uid, e.sequence, e.status, e.changed_at, e.fingerprint),
                      lambda: _serialise(audience, e))


def _serialise(audience: str, e: StoredEvent) -> str:
    c = e.content
    start, end = (datetime.fromisoformat(c[k]) for k in ("start", "end"))
    cancelled = e.status == "CANCELLED"
    summary, description, location, alarms = _TEXT[audience](c, cancelled)
    return ics.vevent(uid=e.uid, sequence=e.sequence, stamp=e.changed_at, last_modified=e.changed_at, start=start,
                      end=end, tz=c["tz"], summary=summary, description=description, location=location,
                      status="CANCELLED" if cancelled else "CONFIRMED", organizer=ORGANIZER,
                      alarms=[] if cancelled else list(alarms))


def _local(value: str | None, tz: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if not value:
        return "-"
    v = datetime.fromisoformat(value).astimezone(ZoneInfo(tz))
    if fmt == "%H:%M":  # the two formats the texts use, without strftime (the export's hot path)
        return f"{v.hour:02d}:{v.minute:02d}"
    if fmt == "%Y-%m-%d %H:%M":
        return f"{v.year:04d}-{v.month:02d}-{v.day:02d} {v.hour:02d}:{v.minute:02d}"
    return v.strftime(fmt)


def _where(c: dict) -> str:
    return c["court"] + (f", {c['room']}" if c.get("room") else "")


def _staff_prefix(cancelled: bool) -> str:
    return "CANCELLED: " if cancelled else ""


def _coordinator(c: dict, cancelled: bool):
    lines = [f"Hearing {c['hearing']} ({c['kind'].replace('_', ' ')}), proceeding {c['docket']}",
             f"{_local(c['start'], c['tz'])}–{_local(c['end'], c['tz'], '%H:%M')} ({c['tz']})"]
    if c.get("moved_from"):
        lines.append(f"Moved from {_local(c['moved_from'], c['tz'])}")
    for w in c["witnesses"]:
        lines.append(f"{w['case']}: {w['mode'].replace('_', ' ')}")
        if w["measures"]:
            lines.append("  measures: " + ", ".join(f"{k} {s}" for k, s in w["measures"]))
        if w["escort"]:
            lines.append(f"  escort {', '.join(w['escort'])}; pick-up {_local(w['pickup_at'], c['tz'], '%H:%M')}, "
                         f"reference {w['pickup_ref']}")
        if w["interpreter"]:
            lines.append(f"  interpreter {w['interpreter']}")
        for g in w["gaps"]:
            lines.append(f"  GAP: {g}")
    cases = ", ".join(w["case"] for w in c["witnesses"])
    return (f"{_staff_prefix(cancelled)}Hearing {c['docket']}: {cases}", "\n".join(lines), _where(c),
            [(timedelta(days=-1), f"Hearing {c['docket']} tomorrow")])


def _prosecutor(c: dict, cancelled: bool):
    lines = [f"Hearing {c['hearing']} ({c['kind'].replace('_', ' ')}), proceeding {c['docket']}",
             f"{_local(c['start'], c['tz'])}–{_local(c['end'], c['tz'], '%H:%M')} ({c['tz']})"]
    if c.get("moved_from"):
        lines.append(f"Moved from {_local(c['moved_from'], c['tz'])}")
    for w in c["witnesses"]:
        lines.append(f"Protected witness {w['case']} ({w['mode'].replace('_', ' ')})")
        for m in w["measures"]:
            extra = ""
            if m["status"] == "recommended" and m["request_by"]:
                extra = f" — file by {_local(m['request_by'], c['tz'])}"
            if m["late"]:
                extra += " — LATE request"
            lines.append(f"  {m['kind']}: {m['status']}{extra}")
    n = len(c["witnesses"])
    return (f"{_staff_prefix(cancelled)}Hearing {c['docket']}: {n} protected witness{'es' if n != 1 else ''}",
            "\n".join(lines), _where(c), [(timedelta(days=-1), f"Hearing {c['docket']} tomorrow")])


def _escort(c: dict, cancelled: bool):
    video = c["mode"] == "video_link"
    # A video-link room may be in a safe house: like the pick-up place, it is given by phone only.
    where = "the video-link room (the coordinator gives the place by phone)" if video else _where(c)
    lines = [f"Escort {c['case']} to {where} and back.",
             f"Pick-up reference {c['pickup_ref']}: the coordinator gives the pick-up place by phone; "
             "it is never written in this calendar.",
             f"Hearing {_local(c['hearing_start'], c['tz'], '%H:%M')}–{_local(c['hearing_end'], c['tz'], '%H:%M')} "
             f"({c['tz']}). Team: {', '.join(c['team'])}."]
    return (f"{_staff_prefix(cancelled)}Escort {c['case']} ({c['pickup_ref']})", "\n".join(lines),
            None if video else _where(c),
            [(timedelta(days=-1), f"Escort {c['case']} tomorrow"), (timedelta(hours=-1), f"Escort {c['case']} in 1 hour")])


def _interpreter(c: dict, cancelled: bool):
    lines = [f"Interpreting ({c['language'] or '-'}) for {c['case']} at {_where(c)}.",
             f"{_local(c['start'], c['tz'])}–{_local(c['end'], c['tz'], '%H:%M')} ({c['tz']}). Please arrive 30 minutes early."]
    return (f"{_staff_prefix(cancelled)}Interpreting for {c['case']}", "\n".join(lines), _where(c),
            [(timedelta(days=-1), f"Interpreting for {c['case']} tomorrow")])


def _victim(c: dict, cancelled: bool):
    t = VICTIM_TEXT[c["lang"]]
    if cancelled:
        return t["cancelled"], "\n".join([t["cancelled_note"], t["call"]]), None, []
    lines = []
    if c.get("moved"):
        lines.append(t["moved"])
    if c["mode"] == "recorded":
        lines.append(t["recorded"])
    elif c.get("pickup_at"):
        lines.append(t["pickup"].format(time=_local(c["pickup_at"], c["tz"], "%H:%M")))
    else:
        lines.append(t["place"].format(court=c["court"]))
    if c["mode"] == "video_link":
        lines.append(t["video"])
    if c.get("screen"):
        lines.append(t["screen"])
    if c.get("waiting_room"):
        lines.append(t["waiting"])
    lines.append(t["call"])
    return (t["hearing"], "\n".join(lines), None,
            [(timedelta(days=-1), t["reminder_day"]), (timedelta(hours=-3), t["reminder_soon"])])


_TEXT = {"coordinator": _coordinator, "prosecutor": _prosecutor, "escort": _escort, "interpreter": _interpreter,
         "victim": _victim, "guardian": _victim}
