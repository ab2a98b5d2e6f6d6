//! Disclosure control benchmark (issue 16, POL-11): the time and peak memory
//! of `suppress` on one month of a large association, built as `release()`
//! builds it (rows over the inner cells, the known zeros left out).
//!
//! Full scale: 20 programmes × 400 groups (8,000 groups, formats in turn),
//! 12 sessions (14 steps: enrolled, sessions 1-12, completed), 12 months
//! (the 12th released; the ledger holds the 11 before): ~1.35M inner cells,
//! ~1.2M ledger rows, ~112k group cells, 280 programme cells, 15 format
//! cells, 200 sections; as groups, this month's drop-outs and the earlier
//! months' cells and drop-outs of 1 to 4 people. Groups of 6-16 people start
//! in a random month, meet weekly (4 sessions a month), and lose people
//! along the way. The ledger is synthetic (a cell was published when it was
//! 0 or at least 5 and so was its monthly increment): its disclosures are
//! counted, as they would be for a real ledger after erasures.
//!
//! Prints the size, the time of `suppress`, the outcomes, and the process's
//! resident memory before the call and its peak (VmHWM) after.
//!
//! Run: `cargo bench -p domain --bench suppression_bench` (small), with
//! `SUPPRESSION_BENCH_SCALE=full` (or `-- --full`) for the full scale.

use domain::statistics::{
    first_reaches, suppress, Candidate, Combination, Month, Outcome, Problem, Step,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Instant;

struct Scale {
    programmes: usize,
    groups_per_programme: usize,
    sessions: u16,
    months: usize,
    sections: usize,
}

const FULL: Scale = Scale {
    programmes: 20,
    groups_per_programme: 400,
    sessions: 12,
    months: 12,
    sections: 200,
};

const SMALL: Scale = Scale {
    programmes: 3,
    groups_per_programme: 25,
    sessions: 6,
    months: 6,
    sections: 20,
};

fn is_sensitive(v: i64) -> bool {
    (1..5).contains(&v)
}

/// The month's problem and its inner cells' layout.
struct World {
    scale: Scale,
    steps: usize,
    groups: usize,
    /// values[reached(g, s, m)]: people of group g who first reached step s in month m.
    values: Vec<u64>,
}

impl World {
    fn reached(&self, g: usize, s: usize, m: usize) -> usize {
        (g * self.steps + s) * self.scale.months + m
    }

    fn programme(&self, g: usize) -> usize {
        g / self.scale.groups_per_programme
    }

    fn format(&self, g: usize) -> usize {
        self.programme(g) % 3
    }

    /// Group g's step s, cumulative to month `to`.
    fn cell(&self, g: usize, s: usize, to: usize) -> Vec<(usize, i64)> {
        (0..=to).map(|m| (self.reached(g, s, m), 1)).collect()
    }

    fn sum(&self, groups: impl Iterator<Item = usize>, s: usize, to: usize) -> Vec<(usize, i64)> {
        groups.flat_map(|g| self.cell(g, s, to)).collect()
    }

    fn of_programme(&self, p: usize) -> impl Iterator<Item = usize> {
        let n = self.scale.groups_per_programme;
        p * n..(p + 1) * n
    }

    fn of_format(&self, f: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.groups).filter(move |&g| self.format(g) == f)
    }
}

fn month(i: usize) -> Month {
    let mut m = Month::new(2026, 1).expect("a month");
    for _ in 0..i {
        m = m.next();
    }
    m
}

fn world(scale: Scale, seed: u64) -> World {
    let mut rng = StdRng::seed_from_u64(seed);
    let steps = scale.sessions as usize + 2;
    let groups = scale.programmes * scale.groups_per_programme;
    let mut w = World {
        values: vec![0; groups * steps * scale.months],
        scale,
        steps,
        groups,
    };
    let months = w.scale.months;
    for g in 0..groups {
        // Groups open in the first quarter and take people all year (each
        // follows 4 sessions a month from their enrolment).
        let start = rng.gen_range(0..months.min(3));
        for _ in 0..rng.gen_range(6..=16) {
            let enrolled = rng.gen_range(start..months);
            let last = if rng.gen_bool(0.5) {
                w.scale.sessions
            } else {
                rng.gen_range(0..w.scale.sessions)
            };
            let attended: Vec<(u16, Month)> = (1..=last)
                .filter(|_| rng.gen_bool(0.9))
                .map(|i| (i, month(enrolled + (i as usize - 1) / 4)))
                .collect();
            for (step, m) in first_reaches(month(enrolled), &attended, w.scale.sessions) {
                let m = (0..months).find(|&i| month(i) == m);
                let s = match step {
                    Step::Enrolled => 0,
                    Step::Session(n) => n as usize,
                    Step::Completed => steps - 1,
                };
                if let Some(m) = m {
                    let i = w.reached(g, s, m);
                    w.values[i] += 1;
                }
            }
        }
    }
    w
}

/// Cumulative counts: cum[(g * steps + s) * months + m], and per programme.
struct Cumulative {
    group: Vec<i64>,
    programme: Vec<i64>,
}

fn cumulative(w: &World) -> Cumulative {
    let months = w.scale.months;
    let mut group = vec![0i64; w.values.len()];
    for gs in 0..w.groups * w.steps {
        let mut total = 0;
        for m in 0..months {
            total += w.values[gs * months + m] as i64;
            group[gs * months + m] = total;
        }
    }
    let mut programme = vec![0i64; w.scale.programmes * w.steps * months];
    for g in 0..w.groups {
        let p = w.programme(g);
        for s in 0..w.steps {
            for m in 0..months {
                programme[(p * w.steps + s) * months + m] += group[(g * w.steps + s) * months + m];
            }
        }
    }
    Cumulative { group, programme }
}

/// Month `now`'s problem, as `release()` builds it: its candidates, the
/// ledger (every cell published before), and as groups its drop-outs and
/// the earlier months' cells and drop-outs of 1 to 4 people.
fn problem(
    w: &World,
    c: &Cumulative,
    now: usize,
    extra: &[u64],
    ledger: Vec<Combination>,
) -> Problem {
    let months = w.scale.months;
    let mut values = w.values.clone();
    let base_sections = values.len();
    values.extend_from_slice(extra);
    let base_formats = base_sections + w.scale.sections;
    let gv = |g: usize, s: usize, m: usize| c.group[(g * w.steps + s) * months + m];
    let pv = |p: usize, s: usize, m: usize| c.programme[(p * w.steps + s) * months + m];
    let active = |g: usize, m: usize| gv(g, 0, m) > 0;

    let mut programme_cells: Vec<(usize, usize)> = (0..w.scale.programmes)
        .flat_map(|p| (0..w.steps).map(move |s| (p, s)))
        .collect();
    programme_cells.sort_by_key(|&(p, s)| std::cmp::Reverse(pv(p, s, now)));
    let mut group_cells: Vec<(usize, usize)> = (0..w.groups)
        .filter(|&g| active(g, now))
        .flat_map(|g| (0..w.steps).map(move |s| (g, s)))
        .collect();
    group_cells.sort_by_key(|&(g, s)| std::cmp::Reverse(gv(g, s, now)));
    let first_group = programme_cells.len() + 15;
    let mut position = vec![usize::MAX; w.groups * w.steps];
    for (k, &(g, s)) in group_cells.iter().enumerate() {
        position[g * w.steps + s] = first_group + k;
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    for &(p, s) in &programme_cells {
        let parts = w
            .of_programme(p)
            .map(|g| position[g * w.steps + s])
            .filter(|&k| k != usize::MAX)
            .collect();
        candidates.push(Candidate {
            row: Combination(w.sum(w.of_programme(p), s, now)),
            parts,
        });
    }
    for f in 0..3 {
        let part = |i: usize| (base_formats + f * 3 + i, 1);
        for row in [
            vec![part(0), part(1), part(2)],
            vec![part(1), part(2)],
            vec![part(2)],
            w.sum(w.of_format(f), 0, now),
            w.sum(w.of_format(f), w.steps - 1, now),
        ] {
            candidates.push(Candidate {
                row: Combination(row),
                parts: vec![],
            });
        }
    }
    for &(g, s) in &group_cells {
        candidates.push(Candidate {
            row: Combination(w.cell(g, s, now)),
            parts: vec![],
        });
    }
    let mut sections: Vec<usize> = (0..w.scale.sections).collect();
    sections.sort_by_key(|&i| std::cmp::Reverse(values[base_sections + i]));
    for i in sections {
        candidates.push(Candidate {
            row: Combination(vec![(base_sections + i, 1)]),
            parts: vec![],
        });
    }

    let dropout = |a: Vec<(usize, i64)>, b: Vec<(usize, i64)>| {
        let mut d = a;
        d.extend(b.into_iter().map(|(i, c)| (i, -c)));
        d.sort_unstable();
        Combination(d)
    };
    let mut groups = Vec::new();
    for m in 0..=now {
        let earlier = m < now;
        for g in (0..w.groups).filter(|&g| active(g, m)) {
            for s in 0..w.steps {
                if earlier && is_sensitive(gv(g, s, m)) {
                    groups.push(Combination(w.cell(g, s, m)));
                }
                if s > 0 && (!earlier || is_sensitive(gv(g, s - 1, m) - gv(g, s, m))) {
                    groups.push(dropout(w.cell(g, s - 1, m), w.cell(g, s, m)));
                }
            }
        }
        for p in 0..w.scale.programmes {
            for s in 0..w.steps {
                if earlier && is_sensitive(pv(p, s, m)) {
                    groups.push(Combination(w.sum(w.of_programme(p), s, m)));
                }
                if s > 0 && (!earlier || is_sensitive(pv(p, s - 1, m) - pv(p, s, m))) {
                    groups.push(dropout(
                        w.sum(w.of_programme(p), s - 1, m),
                        w.sum(w.of_programme(p), s, m),
                    ));
                }
            }
        }
    }
    // As `release()`: the inner cells of 0 (known zeros) are left out of
    // the rows.
    let strip = |row: &mut Combination| row.0.retain(|&(i, _)| values[i] != 0);
    for c in candidates.iter_mut() {
        strip(&mut c.row);
    }
    for g in groups.iter_mut() {
        strip(g);
    }
    // And, as `release()`, the earlier months' groups once each.
    let mut seen = std::collections::HashSet::new();
    groups.retain(|g| seen.insert(g.0.clone()));
    Problem {
        values,
        ledger,
        candidates,
        groups,
    }
}

/// A line of /proc/self/status, in MB.
fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let full = args.iter().any(|a| a == "--full")
        || (!args.iter().any(|a| a == "--small")
            && std::env::var("SUPPRESSION_BENCH_SCALE").as_deref() == Ok("full"));
    let (name, scale) = if full {
        ("full", FULL)
    } else {
        ("small", SMALL)
    };
    let built = Instant::now();
    let w = world(scale, 16);
    let c = cumulative(&w);
    let months = w.scale.months;
    let mut rng = StdRng::seed_from_u64(17);
    // The earlier months, released by the engine itself: their published
    // cells are the ledger of the month measured.
    let mut ledger: Vec<Combination> = Vec::new();
    let mut earlier_seconds = 0.0;
    for now in 0..months {
        let mut extra: Vec<u64> = (0..w.scale.sections)
            .map(|_| match rng.gen_range(0..10) {
                0 => rng.gen_range(1..5),
                _ => rng.gen_range(5..400),
            })
            .collect();
        extra.extend((0..9).map(|_| rng.gen_range(0..300u64)));
        let mut problem = problem(&w, &c, now, &extra, std::mem::take(&mut ledger));
        if now + 1 < months {
            let start = Instant::now();
            let solution = suppress(&problem);
            earlier_seconds += start.elapsed().as_secs_f64();
            assert_eq!(
                solution.ledger_discloses, 0,
                "a ledger the engine wrote discloses nothing"
            );
            ledger = std::mem::take(&mut problem.ledger);
            for (candidate, outcome) in problem.candidates.iter().zip(&solution.outcomes) {
                // Only the funnel's rows reach later months (sections and
                // format parts are of their own month).
                let funnel = candidate.row.0.iter().all(|&(i, _)| i < w.values.len());
                if *outcome == Outcome::Published && funnel {
                    ledger.push(candidate.row.clone());
                }
            }
            continue;
        }
        let nonzero = problem.values.iter().filter(|&&v| v > 0).count();
        let entries: usize = problem.ledger.iter().map(|c| c.0.len()).sum();
        println!(
            "suppression_bench ({name}): month {} of {months}: {} inner cells ({} non-zero), {} ledger rows ({} entries), {} candidates, {} groups",
            now + 1,
            problem.values.len(),
            nonzero,
            problem.ledger.len(),
            entries,
            problem.candidates.len(),
            problem.groups.len(),
        );
        println!(
            "built (with the {} earlier months released by the engine, {earlier_seconds:.1} s of suppress) in {:.1} s",
            months - 1,
            built.elapsed().as_secs_f64()
        );
        let rows = |c: &Combination| 24 + c.0.capacity() * 16;
        let bytes = problem.values.capacity() * 8
            + problem.ledger.iter().map(rows).sum::<usize>()
            + problem.groups.iter().map(rows).sum::<usize>()
            + problem
                .candidates
                .iter()
                .map(|c| rows(&c.row) + 24 + c.parts.capacity() * 8)
                .sum::<usize>();
        println!("the problem itself: {:.0} MB", bytes as f64 / 1048576.0);
        let before = status_mb("VmRSS:");
        let start = Instant::now();
        let solution = suppress(&problem);
        let seconds = start.elapsed().as_secs_f64();
        let peak = status_mb("VmHWM:");
        let count = |o: Outcome| solution.outcomes.iter().filter(|&&x| x == o).count();
        println!(
            "suppress: {seconds:.2} s; published {}, primary {}, secondary {}; ledger_discloses {}",
            count(Outcome::Published),
            count(Outcome::Primary),
            count(Outcome::Secondary),
            solution.ledger_discloses
        );
        println!(
            "memory: resident before suppress {:.0} MB (the problem, the bench's data, the earlier months' freed pages), process peak {:.0} MB (VmHWM)",
            before.unwrap_or(f64::NAN),
            peak.unwrap_or(f64::NAN)
        );
        assert_eq!(solution.outcomes.len(), problem.candidates.len());
        for (candidate, outcome) in problem.candidates.iter().zip(&solution.outcomes) {
            let v: i64 = candidate
                .row
                .0
                .iter()
                .map(|&(i, k)| k * problem.values[i] as i64)
                .sum();
            assert_eq!(
                *outcome == Outcome::Primary,
                is_sensitive(v),
                "primary iff 1 to 4"
            );
        }
        assert_eq!(solution.ledger_discloses, 0);
    }
}
