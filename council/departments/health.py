"""Health: GP registrations (patients), encounters over the last two years, prescriptions.

About 85% of citizens are registered with one of the borough's practices; a few have a second,
duplicate registration (usually without NHS number); some patients live outside the borough.
Each patient has chronic conditions drawn by age (prevalences roughly those of English practice
registers), encounters about them or about acute problems (GP, community and emergency care
coded in SNOMED CT, hospital care in ICD-10), repeat prescriptions for treated conditions and
acute ones after some visits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from random import Random

from council import dates
from council.batch import NULL, Batch, UniqueIds, link_line
from council.identifiers import nhs_check_digit
from council.names import HERITAGE_PICKER, HERITAGES, given_picker
from council.picker import Picker
from council.places import NEIGHBOUR_AREA, WARDS, neighbour_postcode
from council.population import Population, draw_age_days
from council.quality import Quality, copy_identity, wrong_digit

DEPARTMENT = "health"
TABLES = ("patient", "encounter", "prescription")

REGISTERED_RATE = 0.85
REGISTERED_RATE_IN_NEED = 0.65  # adults of households with multiple needs register less
DUPLICATE_RATE = 0.015
OUT_OF_AREA_RATE = 0.025
NHS_MISSING = 0.012
NHS_WRONG = 0.008  # a digit mistyped
WINDOW_DAYS = 730  # encounters of the last two years
REPEAT_DAYS = 182  # repeat prescriptions of the last six months
QUALITY = Quality(
    nickname=0.03, given_typo=0.008, family_typo=0.008, old_family=0.3, dob_missing=0.002,
    dob_swapped=0.004, dob_slip=0.002, old_postcode=0.35, postcode_missing=0.005,
)

# age groups: 0-15, 16-44, 45-64, 65-79, 80+
_AGE_LIMITS = (16, 45, 65, 80)


def age_group(age: int) -> int:
    for group, limit in enumerate(_AGE_LIMITS):
        if age < limit:
            return group
    return 4


@dataclass(frozen=True)
class Medication:
    name: str
    dose: str


@dataclass(frozen=True)
class Condition:
    key: str
    snomed: str
    snomed_text: str
    icd10: str
    icd10_text: str
    prevalence: tuple[float, float, float, float, float] = (0, 0, 0, 0, 0)  # chronic only
    medications: tuple[Medication, ...] = ()
    weights: tuple[float, float, float] = (0, 0, 0)  # acute only: child, adult, 65+
    settings: str = "g"  # acute only: g gp, e emergency, i inpatient, c community, o outpatient
    treat: float = 0.0  # acute only: chance of a prescription at the visit

    def coded(self, system: str) -> str:
        if system == "SNOMED":
            return f"\tSNOMED\t{self.snomed}\t{self.snomed_text}\n"
        return f"\tICD-10\t{self.icd10}\t{self.icd10_text}\n"


def _m(name: str, dose: str) -> Medication:
    return Medication(name, dose)


AMLODIPINE = _m("Amlodipine 5mg tablets", "1 tablet once daily")
RAMIPRIL = _m("Ramipril 5mg capsules", "1 capsule once daily")
METFORMIN = _m("Metformin 500mg tablets", "1 tablet twice daily with food")
GLICLAZIDE = _m("Gliclazide 80mg tablets", "1 tablet twice daily")
INSULIN = _m("Insulin glargine 100units/ml solution for injection 3ml pre-filled pens",
             "as directed")
SALBUTAMOL = _m("Salbutamol 100micrograms/dose inhaler", "2 puffs when required")
BECLOMETASONE = _m("Beclometasone 100micrograms/dose inhaler", "2 puffs twice daily")
TIOTROPIUM = _m("Tiotropium 2.5micrograms/dose inhalation solution", "2 puffs once daily")
SERTRALINE = _m("Sertraline 50mg tablets", "1 tablet once daily")
CITALOPRAM = _m("Citalopram 20mg tablets", "1 tablet once daily")
APIXABAN = _m("Apixaban 5mg tablets", "1 tablet twice daily")
BISOPROLOL = _m("Bisoprolol 2.5mg tablets", "1 tablet once daily")
FUROSEMIDE = _m("Furosemide 40mg tablets", "1 tablet in the morning")
ATORVASTATIN = _m("Atorvastatin 20mg tablets", "1 tablet at night")
ASPIRIN = _m("Aspirin 75mg dispersible tablets", "1 tablet once daily")
LEVOTHYROXINE = _m("Levothyroxine sodium 50microgram tablets", "1 tablet in the morning")
PARACETAMOL = _m("Paracetamol 500mg tablets", "2 tablets up to four times a day")
NAPROXEN = _m("Naproxen 500mg tablets", "1 tablet twice daily with food")
DONEPEZIL = _m("Donepezil 10mg tablets", "1 tablet at night")
LEVETIRACETAM = _m("Levetiracetam 500mg tablets", "1 tablet twice daily")
VALPROATE = _m("Sodium valproate 200mg gastro-resistant tablets", "2 tablets twice daily")
OLANZAPINE = _m("Olanzapine 10mg tablets", "1 tablet at night")
METHYLPHENIDATE = _m("Methylphenidate 18mg modified-release tablets", "1 tablet in the morning")
OMEPRAZOLE = _m("Omeprazole 20mg gastro-resistant capsules", "1 capsule once daily")
LANSOPRAZOLE = _m("Lansoprazole 30mg gastro-resistant capsules", "1 capsule once daily")
THIAMINE = _m("Thiamine 100mg tablets", "1 tablet three times a day")
ALENDRONIC = _m("Alendronic acid 70mg tablets", "1 tablet once a week")
ADCAL = _m("Calcium carbonate 1.5g / Colecalciferol 400unit chewable tablets",
           "1 tablet twice daily")
HYDROCORTISONE = _m("Hydrocortisone 1% cream", "apply thinly twice daily")
EMOLLIENT = _m("Emollient cream", "apply liberally as often as required")
AMOXICILLIN = _m("Amoxicillin 500mg capsules", "1 capsule three times a day for 5 days")
AMOXICILLIN_CHILD = _m("Amoxicillin 250mg/5ml oral suspension", "5ml three times a day for 5 days")
PENICILLIN_V = _m("Phenoxymethylpenicillin 250mg tablets", "2 tablets four times a day for 5 days")
NITROFURANTOIN = _m("Nitrofurantoin 100mg modified-release capsules",
                    "1 capsule twice a day for 3 days")
CLARITHROMYCIN = _m("Clarithromycin 500mg tablets", "1 tablet twice a day for 5 days")
FLUCLOXACILLIN = _m("Flucloxacillin 500mg capsules", "1 capsule four times a day for 7 days")
IBUPROFEN = _m("Ibuprofen 400mg tablets", "1 tablet three times a day with food")
COCODAMOL = _m("Co-codamol 30mg/500mg tablets", "2 tablets up to four times a day")
SUMATRIPTAN = _m("Sumatriptan 50mg tablets", "1 tablet at onset of migraine")
CHLORAMPHENICOL = _m("Chloramphenicol 0.5% eye drops", "1 drop every 2 hours for 2 days")
FERROUS = _m("Ferrous fumarate 210mg tablets", "1 tablet twice daily")
MACROGOL = _m("Macrogol compound oral powder sachets", "1 sachet once or twice daily")

CHRONIC: tuple[Condition, ...] = (
    Condition("hypertension", "38341003", "Hypertensive disorder, systemic arterial",
              "I10", "Essential (primary) hypertension",
              (0, 0.04, 0.22, 0.45, 0.6), (AMLODIPINE, RAMIPRIL)),
    Condition("type 2 diabetes", "44054006", "Diabetes mellitus type 2",
              "E11.9", "Non-insulin-dependent diabetes mellitus without complications",
              (0, 0.02, 0.09, 0.17, 0.18), (METFORMIN, GLICLAZIDE)),
    Condition("type 1 diabetes", "46635009", "Diabetes mellitus type 1",
              "E10.9", "Insulin-dependent diabetes mellitus without complications",
              (0.002, 0.004, 0.004, 0.004, 0.003), (INSULIN,)),
    Condition("asthma", "195967001", "Asthma", "J45.9", "Asthma, unspecified",
              (0.09, 0.08, 0.07, 0.07, 0.06), (SALBUTAMOL, BECLOMETASONE)),
    Condition("copd", "13645005", "Chronic obstructive lung disease",
              "J44.9", "Chronic obstructive pulmonary disease, unspecified",
              (0, 0.002, 0.03, 0.07, 0.09), (TIOTROPIUM, SALBUTAMOL)),
    Condition("depression", "35489007", "Depressive disorder",
              "F32.9", "Depressive episode, unspecified",
              (0.01, 0.12, 0.13, 0.10, 0.09), (SERTRALINE, CITALOPRAM)),
    Condition("anxiety", "197480006", "Anxiety disorder",
              "F41.1", "Generalized anxiety disorder",
              (0.02, 0.08, 0.07, 0.05, 0.04), (SERTRALINE,)),
    Condition("atrial fibrillation", "49436004", "Atrial fibrillation",
              "I48.9", "Atrial fibrillation and atrial flutter, unspecified",
              (0, 0.001, 0.01, 0.06, 0.12), (APIXABAN, BISOPROLOL)),
    Condition("heart failure", "84114007", "Heart failure", "I50.0", "Congestive heart failure",
              (0, 0, 0.005, 0.03, 0.08), (FUROSEMIDE, BISOPROLOL)),
    Condition("coronary heart disease", "53741008", "Coronary arteriosclerosis",
              "I25.1", "Atherosclerotic heart disease",
              (0, 0.001, 0.03, 0.09, 0.13), (ATORVASTATIN, ASPIRIN)),
    Condition("chronic kidney disease", "709044004", "Chronic kidney disease",
              "N18.3", "Chronic kidney disease, stage 3",
              (0, 0.002, 0.02, 0.08, 0.18)),
    Condition("hypothyroidism", "40930008", "Hypothyroidism", "E03.9", "Hypothyroidism, unspecified",
              (0.001, 0.01, 0.04, 0.06, 0.07), (LEVOTHYROXINE,)),
    Condition("osteoarthritis", "396275006", "Osteoarthritis", "M17.9", "Gonarthrosis, unspecified",
              (0, 0.01, 0.08, 0.18, 0.25), (PARACETAMOL, NAPROXEN)),
    Condition("dementia", "52448006", "Dementia", "F03", "Unspecified dementia",
              (0, 0, 0.002, 0.02, 0.12), (DONEPEZIL,)),
    Condition("epilepsy", "84757009", "Epilepsy", "G40.9", "Epilepsy, unspecified",
              (0.005, 0.008, 0.008, 0.008, 0.008), (LEVETIRACETAM, VALPROATE)),
    Condition("schizophrenia", "58214004", "Schizophrenia", "F20.9", "Schizophrenia, unspecified",
              (0, 0.006, 0.008, 0.006, 0.004), (OLANZAPINE,)),
    Condition("adhd", "406506008", "Attention deficit hyperactivity disorder",
              "F90.0", "Disturbance of activity and attention",
              (0.03, 0.01, 0, 0, 0), (METHYLPHENIDATE,)),
    Condition("autism", "408856003", "Autistic disorder", "F84.0", "Childhood autism",
              (0.015, 0.006, 0.002, 0, 0)),
    Condition("reflux", "235595009", "Gastroesophageal reflux disease",
              "K21.9", "Gastro-oesophageal reflux disease without oesophagitis",
              (0.005, 0.04, 0.08, 0.1, 0.1), (OMEPRAZOLE, LANSOPRAZOLE)),
    Condition("hypercholesterolaemia", "13644009", "Hypercholesterolemia",
              "E78.0", "Pure hypercholesterolaemia",
              (0, 0.01, 0.1, 0.15, 0.12), (ATORVASTATIN,)),
    Condition("alcohol dependence", "66590003", "Alcohol dependence",
              "F10.2", "Mental and behavioural disorders due to use of alcohol: dependence syndrome",
              (0, 0.01, 0.015, 0.008, 0.003), (THIAMINE,)),
    Condition("osteoporosis", "64859006", "Osteoporosis", "M81.9", "Osteoporosis, unspecified",
              (0, 0.001, 0.02, 0.07, 0.12), (ALENDRONIC, ADCAL)),
    Condition("eczema", "24079001", "Atopic dermatitis", "L20.9", "Atopic dermatitis, unspecified",
              (0.1, 0.03, 0.02, 0.02, 0.02), (EMOLLIENT, HYDROCORTISONE)),
)

_A = Condition
ACUTE: tuple[Condition, ...] = (
    _A("uri", "54150009", "Upper respiratory infection",
       "J06.9", "Acute upper respiratory infection, unspecified",
       weights=(10, 6, 4), settings="g", treat=0.1),
    _A("otitis media", "65363002", "Otitis media", "H66.9", "Otitis media, unspecified",
       weights=(6, 0.5, 0.2), settings="g", treat=0.5),
    _A("tonsillitis", "90176007", "Tonsillitis", "J03.9", "Acute tonsillitis, unspecified",
       weights=(4, 2, 0.3), settings="g", treat=0.6),
    _A("uti", "68566005", "Urinary tract infectious disease",
       "N39.0", "Urinary tract infection, site not specified",
       weights=(1, 3, 5), settings="gei", treat=0.85),
    _A("bronchitis", "10509002", "Acute bronchitis", "J20.9", "Acute bronchitis, unspecified",
       weights=(2, 3, 4), settings="g", treat=0.3),
    _A("pneumonia", "233604007", "Pneumonia", "J18.9", "Pneumonia, unspecified",
       weights=(0.5, 0.7, 2.5), settings="gei", treat=0.9),
    _A("gastroenteritis", "25374005", "Gastroenteritis",
       "A09.9", "Gastroenteritis and colitis of unspecified origin",
       weights=(4, 2, 1.5), settings="ge"),
    _A("low back pain", "279039007", "Low back pain", "M54.5", "Low back pain",
       weights=(0.2, 5, 4), settings="gco", treat=0.5),
    _A("migraine", "37796009", "Migraine", "G43.9", "Migraine, unspecified",
       weights=(0.5, 2.5, 0.5), settings="go", treat=0.4),
    _A("ankle sprain", "44465007", "Sprain of ankle", "S93.4", "Sprain and strain of ankle",
       weights=(2, 2, 0.5), settings="ge", treat=0.4),
    _A("wrist fracture", "125605004", "Fracture of bone", "S52.5", "Fracture of lower end of radius",
       weights=(1.5, 0.8, 1.2), settings="eo"),
    _A("hip fracture", "5913000", "Fracture of neck of femur", "S72.0", "Fracture of neck of femur",
       weights=(0, 0.05, 1.2), settings="ei"),
    _A("head injury", "82271004", "Injury of head", "S09.9", "Unspecified injury of head",
       weights=(2, 1, 1), settings="e"),
    _A("chest pain", "29857009", "Chest pain", "R07.4", "Chest pain, unspecified",
       weights=(0.1, 2, 3), settings="geio"),
    _A("abdominal pain", "21522001", "Abdominal pain", "R10.4",
       "Other and unspecified abdominal pain", weights=(2, 3, 2), settings="gei"),
    _A("cough", "49727002", "Cough", "R05", "Cough", weights=(4, 3, 3), settings="g"),
    _A("fever", "386661006", "Fever", "R50.9", "Fever, unspecified",
       weights=(4, 0.5, 0.3), settings="ge"),
    _A("rash", "271807003", "Eruption of skin", "R21", "Rash and other nonspecific skin eruption",
       weights=(3, 1, 0.7), settings="g", treat=0.3),
    _A("conjunctivitis", "9826008", "Conjunctivitis", "H10.9", "Conjunctivitis, unspecified",
       weights=(2.5, 1, 0.7), settings="g", treat=0.7),
    _A("cellulitis", "128045006", "Cellulitis", "L03.9", "Cellulitis, unspecified",
       weights=(0.3, 1, 2), settings="geic", treat=0.9),
    _A("covid-19", "840539006",
       "Disease caused by severe acute respiratory syndrome coronavirus 2",
       "U07.1", "COVID-19, virus identified", weights=(1, 1.5, 2), settings="gei"),
    _A("anaemia", "271737000", "Anemia", "D64.9", "Anaemia, unspecified",
       weights=(0.3, 1, 2), settings="go", treat=0.7),
    _A("syncope", "271594007", "Syncope", "R55", "Syncope and collapse",
       weights=(0.2, 0.7, 2), settings="ei"),
    _A("falls", "161898004", "Falls", "R29.6", "Tendency to fall, not elsewhere classified",
       weights=(0, 0.2, 3), settings="gec"),
    _A("overdose", "55680006", "Drug overdose", "T39.1", "Poisoning: 4-Aminophenol derivatives",
       weights=(0.05, 0.4, 0.1), settings="ei"),
    _A("appendicitis", "74400008", "Appendicitis", "K35.8",
       "Acute appendicitis, other and unspecified", weights=(0.3, 0.2, 0.05), settings="ei"),
    _A("gallstones", "235919008", "Cholelithiasis", "K80.2",
       "Calculus of gallbladder without cholecystitis", weights=(0, 0.3, 0.5), settings="io"),
    _A("constipation", "14760008", "Constipation", "K59.0", "Constipation",
       weights=(2, 1, 3), settings="gc", treat=0.6),
    _A("bronchiolitis", "4120002", "Bronchiolitis", "J21.9", "Acute bronchiolitis, unspecified",
       weights=(1.5, 0, 0), settings="gei"),
)

BRONCHIOLITIS = ACUTE[-1]

ACUTE_TREATMENT: dict[str, tuple[Medication, ...]] = {
    "uri": (AMOXICILLIN,), "otitis media": (AMOXICILLIN,), "tonsillitis": (PENICILLIN_V,),
    "uti": (NITROFURANTOIN,), "bronchitis": (AMOXICILLIN,),
    "pneumonia": (AMOXICILLIN, CLARITHROMYCIN), "low back pain": (NAPROXEN, COCODAMOL),
    "migraine": (SUMATRIPTAN,), "ankle sprain": (IBUPROFEN,), "rash": (HYDROCORTISONE,),
    "conjunctivitis": (CHLORAMPHENICOL,), "cellulitis": (FLUCLOXACILLIN,),
    "anaemia": (FERROUS,), "constipation": (MACROGOL,),
}

SETTINGS = ("gp", "emergency", "inpatient", "community", "outpatient")
_SETTING_LETTER = {"gp": "g", "emergency": "e", "inpatient": "i", "community": "c",
                   "outpatient": "o"}
_SYSTEM_OF = {"gp": "SNOMED", "emergency": "SNOMED", "community": "SNOMED",
              "inpatient": "ICD-10", "outpatient": "ICD-10"}
# where encounters happen, by age group
_SETTING_PICKERS = tuple(
    Picker(SETTINGS, weights) for weights in (
        (70, 13, 3, 3, 11), (70, 10, 3, 4, 13), (68, 9, 5, 5, 13), (62, 9, 8, 9, 12),
        (55, 10, 11, 14, 10),
    )
)


def _acute_pickers() -> dict[tuple[str, int], Picker[Condition]]:
    pickers: dict[tuple[str, int], Picker[Condition]] = {}
    for setting in SETTINGS:
        letter = _SETTING_LETTER[setting]
        for group in range(5):
            band = 0 if group == 0 else (1 if group < 3 else 2)
            chosen = [c for c in ACUTE if letter in c.settings and c.weights[band] > 0]
            if not chosen:  # community / outpatient children: fall back to anything seen there
                chosen = [c for c in ACUTE if letter in c.settings]
            pickers[(setting, group)] = Picker(chosen, [c.weights[band] or 0.05 for c in chosen])
    return pickers


_ACUTE_PICKERS = _acute_pickers()
_CODED = {(c.key, system): c.coded(system) for c in CHRONIC + ACUTE for system in
          ("SNOMED", "ICD-10")}
_ENCOUNTER_MEAN = (4.2, 3.6, 5.4, 8.4, 12.0)


def _practices(rng: Random, citizens: int) -> list[list[str]]:
    """ODS-like practice codes (K84 + 3 digits), grouped by area of the borough."""
    count = max(5, round(citizens / 9000))
    codes = [f"K84{n:03d}" for n in sorted(rng.sample(range(1, 1000), min(count, 999)))]
    by_area: list[list[str]] = [[] for _ in range(5)]
    for k, code in enumerate(codes):
        by_area[k % 5].append(code)
    return by_area


_AREA_INDEX = {"north": 0, "east": 1, "south": 2, "west": 3, "central": 4}


def generate(population: Population, seed: int, chunk: int = 10_000) -> Iterator[Batch]:
    rng = Random(f"{seed}:{DEPARTMENT}")
    r = rng.random
    today = dates.TODAY
    iso = dates.iso
    practices = _practices(rng, len(population))
    all_practices = [code for area in practices for code in area]
    patient_ids = UniqueIds(rng, 1_000_000, 100_000_000)
    foreign_stems = UniqueIds(rng, 700_000_000, 800_000_000)
    state = {"encounter": 0, "prescription": 0}
    places = population.places

    def patient_rows(
        rows: dict[str, list[str]], pid: int, born: int, died: int, identity: str,
        practice: str | None, registered: int | None,
    ) -> None:
        """The patient line and their encounters and prescriptions."""
        age = dates.age_on(born, min(died or today, today))
        group = age_group(age)
        reg = iso(registered) if registered else NULL
        rows["patient"].append(f"{pid}\t{identity}\t{practice or NULL}\t{reg}\n")
        conditions = [c for c in CHRONIC if r() < c.prevalence[group]]
        end = min(died, today) if died else today
        start = max(born, today - WINDOW_DAYS, registered or 0)
        if end <= start:
            return
        span = end - start
        mean = _ENCOUNTER_MEAN[group] + 1.2 * len(conditions)
        mean *= span / WINDOW_DAYS
        count = int(rng.gammavariate(1.5, mean / 1.5) + r())
        visits = sorted(start + int(r() * span) for _ in range(count))
        setting_picker = _SETTING_PICKERS[group]
        encounter_lines = rows["encounter"]
        prescription_lines = rows["prescription"]
        acute_rx: list[tuple[int, Medication]] = []
        eid = state["encounter"]
        for day in visits:
            setting = setting_picker.pick(rng)
            if conditions and setting != "emergency" and r() < 0.55:
                condition = conditions[rng.getrandbits(8) % len(conditions)]
            else:
                condition = _ACUTE_PICKERS[(setting, group)].pick(rng)
                if condition is BRONCHIOLITIS and day - born > 730:
                    condition = ACUTE[0]  # bronchiolitis is an infant's illness
                if condition.treat and setting in ("gp", "emergency") and r() < condition.treat:
                    options = ACUTE_TREATMENT.get(condition.key)
                    if options:
                        medication = options[rng.getrandbits(4) % len(options)]
                        if medication is AMOXICILLIN and group == 0:
                            medication = AMOXICILLIN_CHILD
                        acute_rx.append((day, medication))
            eid += 1
            encounter_lines.append(
                f"{eid}\t{pid}\t{iso(day)}\t{setting}{_CODED[(condition.key, _SYSTEM_OF[setting])]}"
            )
        state["encounter"] = eid
        # repeat prescriptions of treated conditions over the last year, then the acute ones
        issues: list[tuple[int, Medication, int]] = []
        rx_start = max(start, today - REPEAT_DAYS)
        for condition in conditions:
            if not condition.medications or r() > 0.85:
                continue
            meds = condition.medications[:1 + (len(condition.medications) > 1 and r() < 0.3)]
            for medication in meds:
                interval = (28, 56, 84, 84)[rng.getrandbits(2)]
                day = rx_start + int(r() * interval)
                while day <= end:
                    issues.append((day, medication, 1))
                    day += interval
        for day, medication in acute_rx:
            issues.append((day, medication, 0))
        issues.sort(key=lambda issue: issue[0])
        rid = state["prescription"]
        for day, medication, repeat in issues:
            rid += 1
            prescription_lines.append(
                f"{rid}\t{pid}\t{iso(day)}\t{medication.name}\t{medication.dose}\t{repeat}\n"
            )
        state["prescription"] = rid

    def new_rows() -> dict[str, list[str]]:
        return {table: [] for table in TABLES}

    batch = Batch(new_rows())
    for i in range(len(population)):
        born = population.born[i]
        died = population.died[i]
        adult_in_need = population.needs[i] and dates.age_on(born, dates.TODAY) >= 18
        if r() < (REGISTERED_RATE_IN_NEED if adult_in_need else REGISTERED_RATE):
            home = population.home[i]
            if home >= 0:
                area = _AREA_INDEX[WARDS[places.ward[home]][1]]
                practice = practices[area][rng.getrandbits(8) % len(practices[area])] \
                    if practices[area] and r() < 0.85 else \
                    all_practices[rng.getrandbits(10) % len(all_practices)]
            else:
                practice = all_practices[rng.getrandbits(10) % len(all_practices)]
            registered = _registered_on(rng, born, population.moved_on[i])
            records = 2 if r() < DUPLICATE_RATE else 1
            for record in range(records):
                pid = patient_ids.next()
                given, family, dob, postcode = copy_identity(
                    rng, QUALITY, population.given[i], population.family[i], born,
                    population.postcode(i), population.old_family[i], population.old_postcode(i),
                    middle=population.middle[i],
                )
                nhs: str | None = population.nhs[i]
                if (record == 0 and r() < NHS_MISSING) or (record == 1 and r() < 0.6):
                    nhs = None
                elif nhs is not None and r() < NHS_WRONG:
                    nhs = wrong_digit(rng, nhs)
                sex = population.sex[i] if r() > 0.003 else None
                identity = (
                    f"{nhs or NULL}\t{given}\t{family}\t"
                    f"{iso(dob) if dob else NULL}\t{sex or NULL}\t"
                    f"{postcode or NULL}"
                )
                if record == 1:  # a temporary or repeated registration elsewhere
                    practice = all_practices[rng.getrandbits(10) % len(all_practices)]
                    registered = today - 30 - rng.randrange(5 * 365)
                    registered = max(registered, born)
                patient_rows(batch.rows, pid, born, died, identity, practice, registered)
                batch.truth.append(f"{DEPARTMENT}\t{pid}\t{i + 1}\n")
                if record == 0:
                    method = _link_method(rng, nhs is not None)
                    if method:
                        batch.links.append(link_line(DEPARTMENT, pid, i + 1, method))
        if r() < OUT_OF_AREA_RATE:  # someone from outside the borough registered here
            pid = patient_ids.next()
            patient_rows(batch.rows, pid, *_outsider(rng, foreign_stems),
                         all_practices[rng.getrandbits(10) % len(all_practices)],
                         today - 30 - rng.randrange(8 * 365))
        batch.citizens += 1
        if batch.citizens == chunk:
            yield batch
            batch = Batch(new_rows())
    if batch.citizens:
        yield batch


def _registered_on(rng: Random, born: int, moved_on: int) -> int:
    today = dates.TODAY
    if moved_on and rng.random() < 0.5:
        return max(born, moved_on + rng.randrange(60))
    earliest = max(born + 14, today - 25 * 365)
    if earliest >= today - 30:
        return min(today, born + 14 + rng.randrange(60))
    return earliest + rng.randrange(today - 30 - earliest)


def _link_method(rng: Random, has_nhs_number: bool) -> str | None:
    """How the master person index linked the record, or None when it failed to."""
    x = rng.random()
    if has_nhs_number:
        if x < 0.985:
            return "deterministic" if x < 0.97 else "manual"
        return None
    if x < 0.85:
        return "probabilistic" if x < 0.8 else "manual"
    return None


def _outsider(rng: Random, stems: UniqueIds) -> tuple[int, int, str]:
    """(born, died, identity line part) of someone who lives outside the borough."""
    born = dates.TODAY - draw_age_days(rng)
    heritage = HERITAGE_PICKER.pick(rng)
    sex = "F" if rng.random() < 0.51 else "M"
    given = given_picker(heritage, sex, dates.year_of(born)).pick(rng)
    family = HERITAGES[heritage][0].family.pick(rng)
    while True:
        stem = stems.next()
        check = nhs_check_digit(str(stem))
        if check is not None:
            break
    postcode = neighbour_postcode(rng)
    assert postcode.startswith(NEIGHBOUR_AREA)
    identity = f"{stem}{check}\t{given}\t{family}\t{dates.iso(born)}\t{sex}\t{postcode}"
    return born, 0, identity
