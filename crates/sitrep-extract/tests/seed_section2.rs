//! Per-sentence classification of real text: section II ("The Security Environment")
//! of Crisis Group's report "Afghanistan's Security Challenges under the Taliban"
//! (11 September 2022), quoted in full, plus the key sentences of its introduction.
//! Every sentence gets an expected class; checkable ones get their key slots.

use chrono::NaiveDate;
use sitrep_extract::compare::{CompareKind, ShareOf};
use sitrep_extract::period::Anchor;
use sitrep_extract::*;

/// Section II of the report, as published (paragraphs separated by blank lines).
const SECTION_II: &str = r#"II.The Security Environment

Obtaining an accurate picture of the security environment in Afghanistan has always been difficult, and it grew harder after the Taliban takeover. Publicly available datasets of violent incidents rely on media reports, which have become less reliable as the Taliban suppress efforts at enquiry and opposition groups exaggerate claims of small victories. In areas of intense fighting between rebel groups and Taliban forces, access for journalists and observers is limited. As a result, open-source datasets may not fully capture violence trends.

The information landscape is even more contested than the battlefield, as the public discourse about security is driven by starkly contrasting narratives. The Taliban often describe attacks on armed opposition groups as law-and-order actions against criminals and kidnappers. They sometimes block journalists in the country from investigating such cases, making it difficult to ascertain the identity and alleged crimes of targeted individuals. On the other hand, armed opposition groups are increasingly claiming attacks on the Taliban government, but they sometimes try to document their hand in attacks with misleading videos; at other times, several different groups claim the same attack. Anti-Taliban groups also have incentives to fake or exaggerate incidents to garner media attention and raise funds abroad.

Despite the uncertainty, it is clear that two small conflicts are smouldering. One involves the local branch of the Islamic State, Islamic State-Khorasan Province (IS-KP), which emerged in 2015 and has intensified its attempts since then to challenge the Taliban. The second conflict involves actors formerly affiliated with the Islamic Republic of Afghanistan, the political order that collapsed in 2021. The National Resistance Front (NRF) emerged as the biggest of these ex-Republic groups, primarily in Panjshir province north east of Kabul, but many others have proclaimed themselves. Conflict between the Taliban and predecessors of these groups dates back to the 1990s, but since the former’s ascent to power in August 2021, the roles of insurgent and counter-insurgent have flipped.

Thus far, neither of these two insurgencies seriously threatens the Taliban. The country has seen a sharp decline in violence, with insecurity concentrated in pockets of the east and north, in contrast with previous decades when almost the entire country was a war zone. When fighting breaks out, it is most often initiated not by insurgents but by the Taliban themselves, as the new authorities conduct offensive actions to consolidate power with armed force. Some of this skirmishing occurs as the Taliban remove unauthorised checkpoints and seize control of natural resources; other clashes involve opposition groups, criminals and renegade Taliban elements. (Figure 2 shows the geographic concentration of violence.)

In cases where the Taliban do suffer attacks, large-impact bombings are usually claimed by opposition groups, while the majority of small-scale attacks remain mysterious and as discussed below may be attributable to a wide range of causes. When attacks on Taliban were claimed in the final months of 2021, it was usually by IS-KP. But after intense Taliban operations against the group, IS-KP attacks decreased in the first half of 2022. By contrast, anti-Taliban attacks in the north, where opposition groups are most active, have seen an uptick in the past few months, suggesting that these groups may be benefiting from the end of heavy snows in the mountains and gaining momentum. Most analysts agree that the pace of NRF attacks surpassed that of IS-KP strikes in the spring of 2022, trending upward into the summer. (See Figure 3, illustrating the number of attacks by both groups. )

Figure 3. Violent incidents involving major anti-Taliban groups


Identifying trends is complicated by the fact that it is often impossible to say who is killing whom. By some counts, more than half of attacks on Taliban personnel since October 2021 cannot be attributed. It is plausible that many unclaimed attacks relate to personal grudges or local feuds; in some instances, these involve ethnic, tribal or family dynamics emanating from political disputes, resource competition or historical grievances. Some attacks are perpetrated by individuals tied to the previous government, but not as part of any organised insurgency. These include tit-for-tat revenge killings by those whose families have been targeted by the Taliban, despite assurances of amnesty. Sporadic clashes have continued between the Taliban and irregulars previously associated with the Republic, such as the Afghan Local Police and pro-government militias. Other fighting appears to stem from conflict over resources, including land. Some violence results from criminality, which has increased as the economy has deteriorated. Lastly, there is still intra-Taliban violence relating to quarrels over positions or other matters.

Whatever the cause of these unclaimed attacks, they appear to have slowly dwindled over the past ten months. In some provinces the drop-off reflects the Taliban’s consolidation of control, while in other places unaffiliated armed groups are joining organised resistance forces that advertise every anti-Taliban attack."#;

fn article() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 9, 11).unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A lexicon with the report's main actors and places, plus compass regions.
fn lex() -> MemoryLexicon {
    MemoryLexicon::new()
        .actor("taliban", &["Taliban"])
        .actor(
            "is-kp",
            &[
                "IS-KP",
                "Islamic State-Khorasan Province",
                "Islamic State Khorasan Province",
                "ISKP",
            ],
        )
        .actor("nrf", &["NRF", "National Resistance Front"])
        .place("AF", &["Afghanistan"])
        .place("AF-KAB", &["Kabul"])
        .place("AF-PAN", &["Panjshir"])
        .with_regions()
}

/// The expected class of a sentence.
enum Want {
    Not(Reason),
    /// Not checkable for want of a measure, naming this unmeasured topic.
    NoMeasureTopic(&'static str),
    /// Checkable with this relation kind and measure.
    Check(&'static str, MeasureKind),
}

fn kind(r: &Relation) -> &'static str {
    match r {
        Relation::Level { .. } => "level",
        Relation::Change { .. } => "change",
        Relation::PercentChange { .. } => "percent",
        Relation::Direction { .. } => "direction",
        Relation::Share { .. } => "share",
        Relation::Comparison { .. } => "comparison",
        Relation::Record { .. } => "record",
    }
}

use MeasureKind::Events;
use Reason::{NoMeasure, NoSignal};

/// (start of the sentence, expected class), in order; every sentence of section II.
const EXPECTED: &[(&str, Want)] = &[
    ("II.The Security Environment", Want::Not(NoSignal)),
    ("Obtaining an accurate picture", Want::Not(NoSignal)),
    ("Publicly available datasets", Want::Not(NoSignal)),
    ("In areas of intense fighting", Want::Not(NoSignal)),
    ("As a result, open-source datasets", Want::Not(NoSignal)),
    ("The information landscape", Want::Not(NoSignal)),
    ("The Taliban often describe", Want::Not(NoSignal)),
    ("They sometimes block journalists", Want::Not(NoSignal)),
    (
        "On the other hand, armed opposition groups are increasingly",
        Want::Check("direction", Events),
    ),
    (
        "Anti-Taliban groups also have incentives",
        Want::Not(NoSignal),
    ),
    (
        "Despite the uncertainty, it is clear that two small conflicts",
        Want::Not(NoMeasure),
    ),
    ("One involves the local branch", Want::Not(NoMeasure)),
    ("The second conflict involves", Want::Not(NoSignal)),
    (
        "The National Resistance Front (NRF) emerged",
        Want::Not(NoSignal),
    ),
    (
        "Conflict between the Taliban and predecessors",
        Want::Not(NoSignal),
    ),
    (
        "Thus far, neither of these two insurgencies",
        Want::Not(NoMeasure),
    ),
    (
        "The country has seen a sharp decline in violence",
        Want::Check("direction", Events),
    ),
    ("When fighting breaks out", Want::Not(NoSignal)),
    ("Some of this skirmishing", Want::Not(NoSignal)),
    ("(Figure 2 shows", Want::Not(NoSignal)),
    (
        "In cases where the Taliban do suffer attacks",
        Want::Check("share", Events),
    ),
    ("When attacks on Taliban were claimed", Want::Not(NoSignal)),
    (
        "But after intense Taliban operations",
        Want::Check("direction", Events),
    ),
    (
        "By contrast, anti-Taliban attacks in the north",
        Want::Check("direction", Events),
    ),
    (
        "Most analysts agree that the pace of NRF attacks surpassed",
        Want::Check("comparison", Events),
    ),
    ("(See Figure 3", Want::Not(NoSignal)),
    ("Figure 3.", Want::Not(NoSignal)),
    (
        "Violent incidents involving major anti-Taliban groups",
        Want::Not(NoSignal),
    ),
    ("Identifying trends is complicated", Want::Not(NoSignal)),
    (
        "By some counts, more than half of attacks",
        Want::Check("share", Events),
    ),
    (
        "It is plausible that many unclaimed attacks",
        Want::Not(NoSignal),
    ),
    ("Some attacks are perpetrated", Want::Not(NoSignal)),
    ("These include tit-for-tat", Want::Not(NoSignal)),
    ("Sporadic clashes have continued", Want::Not(NoSignal)),
    ("Other fighting appears to stem", Want::Not(NoSignal)),
    (
        "Some violence results from criminality",
        Want::NoMeasureTopic("crime"),
    ),
    (
        "Lastly, there is still intra-Taliban violence",
        Want::Not(NoSignal),
    ),
    (
        "Whatever the cause of these unclaimed attacks",
        Want::Check("direction", Events),
    ),
    ("In some provinces the drop-off", Want::Not(NoMeasure)),
];

fn section() -> Vec<SentenceAnalysis> {
    analyse(SECTION_II, article(), &lex())
}

fn find<'a>(all: &'a [SentenceAnalysis], start: &str) -> &'a SentenceAnalysis {
    all.iter()
        .find(|a| a.sentence.text.starts_with(start))
        .unwrap_or_else(|| panic!("no sentence starts with {start:?}"))
}

fn cand<'a>(all: &'a [SentenceAnalysis], start: &str) -> &'a AssertionCandidate {
    let a = find(all, start);
    a.candidate()
        .unwrap_or_else(|| panic!("{start:?} not checkable: {:?}", a.class))
}

#[test]
fn every_sentence_of_section_ii_has_its_expected_class() {
    let all = section();
    let got: Vec<&str> = all.iter().map(|a| a.sentence.text.as_str()).collect();
    assert_eq!(all.len(), EXPECTED.len(), "sentences: {got:#?}");
    let mut wrong = Vec::new();
    for (a, (start, want)) in all.iter().zip(EXPECTED) {
        assert!(
            a.sentence.text.starts_with(start),
            "{:?} vs {start:?}",
            a.sentence.text
        );
        let ok = match (want, &a.class) {
            (Want::Not(r), Class::NotCheckable { reason, .. }) => r == reason,
            (Want::NoMeasureTopic(t), Class::NotCheckable { reason, detail }) => {
                *reason == NoMeasure && detail.as_deref() == Some(*t)
            }
            (Want::Check(k, m), Class::Checkable { candidate, .. }) => {
                kind(&candidate.relation) == *k && candidate.measure.kind == *m
            }
            _ => false,
        };
        if !ok {
            wrong.push(format!("{start:?}: {:?}", a.class));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn increasingly_claiming_attacks_targets_the_taliban() {
    let all = section();
    let c = cand(&all, "On the other hand");
    assert!(matches!(
        c.relation,
        Relation::Direction {
            direction: Direction::Increase,
            ..
        }
    ));
    assert_eq!(c.actors.len(), 1);
    assert_eq!(
        (c.actors[0].id.as_str(), c.actors[0].role),
        ("taliban", Role::Target)
    );
    assert!(c.period_a.is_none());
}

#[test]
fn sharp_decline_in_violence_is_strong_and_in_the_east_and_north() {
    let all = section();
    let c = cand(&all, "The country has seen a sharp decline");
    assert_eq!(
        c.relation,
        Relation::Direction {
            direction: Direction::Decrease,
            strength: Strength::Strong
        }
    );
    let ids: Vec<&str> = c.places.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, vec!["region:east", "region:north"]);
}

#[test]
fn majority_of_small_scale_attacks() {
    let all = section();
    let c = cand(&all, "In cases where the Taliban");
    let Relation::Share { fraction, of } = &c.relation else {
        panic!("{:?}", c.relation)
    };
    assert_eq!(*of, ShareOf::Total);
    assert!(fraction.contains(0.6) && !fraction.contains(0.5 - 1e-3));
}

#[test]
fn is_kp_attacks_decreased_in_the_first_half_of_2022() {
    let all = section();
    let c = cand(&all, "But after intense Taliban operations");
    assert!(matches!(
        c.relation,
        Relation::Direction {
            direction: Direction::Decrease,
            ..
        }
    ));
    assert!(c.actors.iter().any(|a| a.id == "is-kp"));
    let p = c.period_a.unwrap();
    assert_eq!((p.start, p.end), (d("2022-01-01"), d("2022-07-01")));
}

#[test]
fn uptick_in_the_north_in_the_past_few_months() {
    let all = section();
    let c = cand(&all, "By contrast, anti-Taliban attacks");
    assert_eq!(
        c.relation,
        Relation::Direction {
            direction: Direction::Increase,
            strength: Strength::Weak
        }
    );
    assert_eq!(c.places[0].id, "region:north");
    let p = c.period_a.unwrap();
    assert_eq!((p.start, p.end), (d("2022-06-11"), d("2022-09-11")));
}

#[test]
fn nrf_attacks_surpassed_is_kp_in_spring_2022_then_trended_upward() {
    let all = section();
    let a = find(&all, "Most analysts agree");
    let Class::Checkable {
        candidate: c,
        others,
    } = &a.class
    else {
        panic!("{:?}", a.class)
    };
    assert_eq!(
        c.relation,
        Relation::Comparison {
            kind: CompareKind::Exceeds
        }
    );
    let ids: Vec<&str> = c.actors.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, vec!["nrf", "is-kp"]);
    let p = c.period_a.unwrap();
    assert_eq!((p.start, p.end), (d("2022-03-01"), d("2022-06-01")));
    // "trending upward into the summer" is a second candidate.
    let up = &others[0];
    assert!(matches!(
        up.relation,
        Relation::Direction {
            direction: Direction::Increase,
            ..
        }
    ));
    let p = up.period_a.unwrap();
    assert_eq!((p.start, p.end), (d("2022-06-01"), d("2022-09-01")));
}

#[test]
fn more_than_half_of_attacks_since_october_2021() {
    let all = section();
    let c = cand(&all, "By some counts");
    let Relation::Share { fraction, .. } = &c.relation else {
        panic!("{:?}", c.relation)
    };
    assert_eq!((fraction.lo, fraction.hi), (Some(0.5), Some(1.0)));
    assert_eq!(c.hedge, Some(Hedge::MoreThan));
    let p = c.period_a.unwrap();
    assert_eq!(
        (p.start, p.end, p.anchor),
        (d("2021-10-01"), d("2022-09-11"), Anchor::Since)
    );
    assert_eq!(
        (c.actors[0].id.as_str(), c.actors[0].role),
        ("taliban", Role::Target)
    );
}

#[test]
fn unclaimed_attacks_slowly_dwindled_over_the_past_ten_months() {
    let all = section();
    let c = cand(&all, "Whatever the cause");
    assert_eq!(
        c.relation,
        Relation::Direction {
            direction: Direction::Decrease,
            strength: Strength::Weak
        }
    );
    assert!(c.default_scope);
    let p = c.period_a.unwrap();
    assert_eq!((p.start, p.end), (d("2021-11-11"), d("2022-09-11")));
}

#[test]
fn years_and_figure_numbers_are_not_quantities() {
    let all = section();
    for start in [
        "The second conflict involves",
        "(Figure 2 shows",
        "(See Figure 3",
        "One involves",
    ] {
        let a = find(&all, start);
        assert!(
            a.numbers.iter().all(|n| n.value != 2021.0
                && n.value != 2015.0
                && n.value != 2.0
                && n.value != 3.0),
            "{start}: {:?}",
            a.numbers
        );
    }
}

// ------------------------------------------------------------ the introduction's key claims

const FIVEFOLD: &str = "Another comparison, of the first ten months of Taliban government against the same period a year earlier, found that the rate of battles, explosions and other forms of violence per week had fallen fivefold (as shown in Figure 1).";

#[test]
fn had_fallen_fivefold() {
    let a = &analyse(FIVEFOLD, article(), &lex())[0];
    let c = a.candidate().unwrap();
    let Relation::Change { factor, direction } = &c.relation else {
        panic!("{:?}", c.relation)
    };
    assert_eq!(*direction, Direction::Decrease);
    assert_eq!((factor.lo, factor.hi), (Some(4.0), Some(6.0)));
    assert_eq!(c.measure.kind, MeasureKind::Events);
    assert_eq!(c.measure.per, Some(Per::Week));
    let pa = c.period_a.unwrap();
    assert_eq!((pa.start, pa.end), (d("2021-08-15"), d("2022-06-15")));
    let pb = c.period_b.unwrap();
    assert_eq!((pb.start, pb.end), (d("2020-08-15"), d("2021-06-15")));
}

#[test]
fn had_fallen_fivefold_with_a_footnote_marker() {
    let text = FIVEFOLD.replace("(as shown in Figure 1).", "(as shown in Figure 1).12");
    let a = &analyse(&text, article(), &lex())[0];
    assert_eq!(a.sentence.footnotes, vec![12]);
    assert!(matches!(
        a.candidate().unwrap().relation,
        Relation::Change { .. }
    ));
}

#[test]
fn fighting_diminished_to_18_per_cent_of_previous_levels() {
    let text = "In the early months of 2022, by UN estimates, fighting diminished to only 18 per cent of previous levels.";
    let c = analyse(text, article(), &lex())[0]
        .candidate()
        .unwrap()
        .clone();
    assert_eq!(c.measure.kind, MeasureKind::Events);
    let Relation::Share { fraction, of } = &c.relation else {
        panic!("{:?}", c.relation)
    };
    assert_eq!(*of, ShareOf::Baseline);
    assert!(fraction.contains(0.18));
    let p = c.period_a.unwrap();
    assert_eq!((p.start, p.end), (d("2022-01-01"), d("2022-05-01")));
}

#[test]
fn battle_fatalities_per_year_range() {
    let text = "They had grown accustomed to a drumbeat of death and destruction: an estimated 20,000 to 40,000 battle fatalities per year, a toll that for several years had surpassed those of Syria, Yemen and Iraq, and more U.S. airstrikes than in any other part of the world.";
    let a = &analyse(text, article(), &lex())[0];
    let Class::Checkable { candidate, others } = &a.class else {
        panic!("{:?}", a.class)
    };
    let all: Vec<&AssertionCandidate> = std::iter::once(&**candidate).chain(others).collect();
    let level = all
        .iter()
        .find(|c| matches!(c.relation, Relation::Level { .. }))
        .expect("a level");
    let Relation::Level { value } = &level.relation else {
        unreachable!()
    };
    assert_eq!((value.lo, value.hi), (Some(20_000.0), Some(40_000.0)));
    assert_eq!(
        (level.measure.kind, level.measure.per),
        (MeasureKind::Fatalities, Some(Per::Year))
    );
    // "had grown accustomed" is not a trend.
    assert!(a.trends.is_empty(), "{:?}", a.trends);
}

#[test]
fn displacement_is_not_measured() {
    let text = "By early 2022, only two of the country\u{2019}s 34 provinces reported displacement as a result of conflict, and the numbers of displaced persons totalled less than 1 per cent of previous monthly peaks.";
    let a = &analyse(text, article(), &lex())[0];
    assert_eq!(a.reason(), Some(NoMeasure));
    assert!(
        matches!(&a.class, Class::NotCheckable { detail: Some(t), .. } if t == "refugees and displacement")
    );
}

#[test]
fn camps_are_not_measured() {
    let text = "The war had forced hundreds of thousands of people to flee their homes in previous years, but during the early months of Taliban rule the informal camps and slums stopped swelling with fresh arrivals.";
    let a = &analyse(text, article(), &lex())[0];
    assert_eq!(a.reason(), Some(NoMeasure));
}

#[test]
fn food_insecurity_is_not_measured() {
    let a = &analyse(
        "Food insecurity has risen sharply since the Taliban takeover.",
        article(),
        &lex(),
    )[0];
    assert!(
        matches!(&a.class, Class::NotCheckable { reason: NoMeasure, detail: Some(t) } if t == "food insecurity"),
        "{:?}",
        a.class
    );
}

#[test]
fn training_camps_are_not_measured() {
    let a = &analyse(
        "The number of militant training camps in Kunar has doubled since 2021.",
        article(),
        &lex(),
    )[0];
    assert!(
        matches!(&a.class, Class::NotCheckable { reason: NoMeasure, detail: Some(t) } if t == "training camps"),
        "{:?}",
        a.class
    );
}

#[test]
fn anaphoric_group_without_names_is_not_resolved() {
    let a = &analyse(
        "Since then, the group has launched more than 40 attacks.",
        article(),
        &NoLexicon,
    )[0];
    assert_eq!(a.reason(), Some(Reason::NoActorOrPlace), "{:?}", a.class);
}

#[test]
fn organised_resistance_is_rising_rapidly() {
    let a = &analyse(
        "Attacks by organised resistance groups are rising rapidly in Panjshir.",
        article(),
        &lex(),
    )[0];
    let c = a.candidate().unwrap();
    assert_eq!(
        c.relation,
        Relation::Direction {
            direction: Direction::Increase,
            strength: Strength::Strong
        }
    );
    assert_eq!(c.places[0].id, "AF-PAN");
}

#[test]
fn analysis_is_serialisable() {
    fn is_serialize<T: serde::Serialize>(_: &T) {}
    for a in section() {
        is_serialize(&a);
    }
}

// ------------------------------------------------------------ other sections of the report

fn one(text: &str) -> SentenceAnalysis {
    analyse(text, article(), &lex()).remove(0)
}

#[test]
fn is_kp_launched_more_attacks_than_ever_after_the_takeover() {
    let a =
        one("In the months following the Taliban takeover, IS-KP launched more attacks than ever.");
    let c = a.candidate().unwrap_or_else(|| panic!("{:?}", a.class));
    assert_eq!(
        c.relation,
        Relation::Record {
            kind: compare::RecordKind::Highest
        }
    );
    assert_eq!(c.measure.kind, MeasureKind::Events);
    assert!(c
        .actors
        .iter()
        .any(|x| x.id == "is-kp" && x.role == Role::Perpetrator));
    let p = c.period_a.unwrap();
    assert_eq!((p.start, p.end), (d("2021-08-15"), d("2021-11-15")));
}

#[test]
fn republic_groups_surpassed_is_kp_as_most_active() {
    let a = one("Armed groups composed mostly of people affiliated with the previous Republic surpassed IS-KP as the most active opposition to the Taliban in early 2022.");
    let c = a.candidate().unwrap_or_else(|| panic!("{:?}", a.class));
    assert_eq!(
        c.relation,
        Relation::Comparison {
            kind: CompareKind::Exceeds
        }
    );
    assert_eq!(c.period_a.unwrap().start, d("2022-01-01"));
}

#[test]
fn reduction_in_opposition_activity_in_nangarhar() {
    let lex = lex().place("AF-NAN", &["Nangarhar"]);
    let a = &analyse("In Nangarhar, the elevated security presence resulted in a clear reduction in armed opposition activity.", article(), &lex)[0];
    let c = a.candidate().unwrap_or_else(|| panic!("{:?}", a.class));
    assert!(matches!(
        c.relation,
        Relation::Direction {
            direction: Direction::Decrease,
            ..
        }
    ));
    assert_eq!(c.places[0].id, "AF-NAN");
}

#[test]
fn violence_declined_precipitously_then_started_to_rise() {
    let a = one(
        "Violence declined precipitously after the Taliban takeover but has started to rise again.",
    );
    let Class::Checkable { candidate, others } = &a.class else {
        panic!("{:?}", a.class)
    };
    assert_eq!(
        candidate.relation,
        Relation::Direction {
            direction: Direction::Decrease,
            strength: Strength::Strong
        }
    );
    assert_eq!(candidate.period_a.unwrap().start, d("2021-08-15"));
    assert!(matches!(
        others[0].relation,
        Relation::Direction {
            direction: Direction::Increase,
            ..
        }
    ));
}

#[test]
fn scenario_that_could_increase_insecurity_is_hypothetical() {
    let a = one("One scenario that could dramatically increase insecurity would be the Taliban movement\u{2019}s fragmentation.");
    assert_eq!(a.reason(), Some(Reason::Hypothetical));
}

#[test]
fn checks_diminished_is_about_checkpoints() {
    let a = one("Interlocutors who travelled on roads throughout the country said checks had diminished significantly, making it easier to get around.");
    assert!(
        matches!(&a.class, Class::NotCheckable { reason: NoMeasure, detail: Some(t) } if t == "checkpoints"),
        "{:?}",
        a.class
    );
}
