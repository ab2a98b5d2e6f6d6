//! The engine behind [`super::suppress`]: the sensitive set, the components,
//! and the pass of each component to its fixpoint (module doc of
//! `suppression`, steps 1 to 5).

use super::basis::{Basis, Residuals, Scratch};
use super::prepare::{Components, RowSet, Vars};
use super::row::{normalise, sub, Overflow, Row};
use super::{Outcome, Problem, Solution, K};
use std::collections::BTreeMap;

/// A count that must not be derivable: 1 to K-1, or unknown (conservative).
fn sensitive(value: Option<i128>) -> bool {
    value.is_none_or(|v| v >= 1 && v < i128::from(K))
}

/// Where a sensitive vector comes from (its row is rebuilt when needed, so
/// that the sensitive set costs a few bytes a vector).
#[derive(Clone, Copy, Debug)]
enum Source {
    Inner(u32),
    Candidate(u32),
    Group(u32),
}

/// A sensitive vector spread over several components (step 4 of the module
/// doc, "Components"): its projections are `parts[start..start + len]`.
struct Cross {
    source: Source,
    start: u32,
    len: u32,
    /// Already in the ledger's span (counted).
    done: bool,
}

/// One projection of a cross vector.
#[derive(Clone, Copy)]
struct Part {
    comp: u32,
    /// In its component's ledger span.
    ledger_in: bool,
    /// In its component's final span (set when the component is done).
    final_in: bool,
}

#[derive(Default)]
struct Comp {
    /// Candidates, in priority order.
    candidates: Vec<u32>,
    ledger: Vec<u32>,
    /// Sensitive vectors wholly inside.
    sensitive: Vec<Source>,
    /// Cross vectors with a projection here.
    cross: Vec<u32>,
}

/// A component opened for work: its variables in pivot order, the basis of
/// its ledger rows.
struct Local {
    /// Local variable → global.
    vars: Vec<u32>,
    ledger: Basis,
    /// An exact result could not be had (overflow): be conservative.
    poisoned: bool,
    scratch: Scratch,
}

struct Engine<'a> {
    problem: &'a Problem,
    vars: Vars<'a>,
    /// Candidates' rows (global variables, known zeros removed) and counts.
    rows: Vec<Row>,
    values: Vec<Option<i128>>,
    outcomes: Vec<Outcome>,
    pending: Vec<bool>,
    sensitive: Vec<Source>,
    /// Hidden-parts sums found so far (global variables, normalised).
    extra_seen: RowSet,
    cross: Vec<Cross>,
    parts: Vec<Part>,
    comps: Vec<Comp>,
    /// Component of each variable (u32::MAX: in no row).
    comp_of_var: Vec<u32>,
    /// Global → local variable of the open component (u32::MAX: none).
    local_of: Vec<u32>,
    ledger_discloses: usize,
}

pub(crate) fn run(problem: &Problem) -> Solution {
    let mut engine = Engine::new(problem);
    engine.components();
    engine.ledger_spans_of_cross();
    for c in 0..engine.comps.len() {
        engine.process(c);
    }
    Solution {
        outcomes: engine.outcomes,
        ledger_discloses: engine.ledger_discloses,
    }
}

impl<'a> Engine<'a> {
    /// Steps 1 to 3: known zeros out, the sensitive set, the primaries.
    fn new(problem: &'a Problem) -> Self {
        let vars = Vars::new(problem);
        let count = vars.count;
        let n = problem.candidates.len();
        let mut engine = Engine {
            problem,
            vars,
            rows: Vec::with_capacity(n),
            values: Vec::with_capacity(n),
            outcomes: vec![Outcome::Published; n],
            pending: vec![false; n],
            sensitive: Vec::new(),
            extra_seen: RowSet::default(),
            cross: Vec::new(),
            parts: Vec::new(),
            comps: Vec::new(),
            comp_of_var: Vec::new(),
            local_of: vec![u32::MAX; count],
            ledger_discloses: 0,
        };
        for (k, candidate) in problem.candidates.iter().enumerate() {
            let cleaned = engine.vars.clean(&candidate.row);
            if !cleaned.valid || cleaned.value.is_none() {
                // Cannot be valued: never shown, and protected.
                engine.outcomes[k] = Outcome::Secondary;
                engine.sensitive.push(Source::Candidate(k as u32));
            } else if cleaned.row.is_empty() {
                // Only known zeros: 0, published, says nothing new.
            } else if sensitive(cleaned.value) {
                engine.outcomes[k] = Outcome::Primary;
                engine.sensitive.push(Source::Candidate(k as u32));
            } else {
                engine.pending[k] = true;
            }
            engine.rows.push(cleaned.row);
            engine.values.push(cleaned.value);
        }
        for (i, &v) in problem.values.iter().enumerate() {
            if sensitive(Some(i128::from(v))) && i < u32::MAX as usize {
                engine.sensitive.push(Source::Inner(i as u32));
            }
        }
        for (j, group) in problem.groups.iter().enumerate() {
            let cleaned = engine.vars.clean(group);
            if cleaned.valid && !cleaned.row.is_empty() && sensitive(cleaned.value) {
                engine.sensitive.push(Source::Group(j as u32));
            }
        }
        engine
    }

    /// The row of a sensitive vector (global variables, known zeros out).
    fn row_of(&self, source: Source) -> Row {
        match source {
            Source::Inner(i) => vec![(i, 1)],
            Source::Candidate(k) => self.rows[k as usize].clone(),
            Source::Group(j) => self.vars.row(&self.problem.groups[j as usize], |_| true),
        }
    }

    /// The projection of cross vector `x` on component `c`.
    fn projection(&self, x: u32, c: u32) -> Row {
        let keep = |v: u32| self.comp_of_var[v as usize] == c;
        match self.cross[x as usize].source {
            Source::Group(j) => self.vars.row(&self.problem.groups[j as usize], keep),
            source => {
                let mut row = self.row_of(source);
                row.retain(|&(v, _)| keep(v));
                row
            }
        }
    }

    /// Step 4, "Components": variables linked by a ledger row, a candidate
    /// row or a total and its parts; the components numbered by their first
    /// candidate; each sensitive vector local to one or split into
    /// projections.
    fn components(&mut self) {
        let mut dsu = Components::new(self.vars.count);
        let mut in_row = vec![false; self.vars.count];
        let mut mark = |row: &Row, dsu: &mut Components| {
            dsu.link(row);
            for &(v, _) in row {
                in_row[v as usize] = true;
            }
        };
        let mut ledger_first = Vec::with_capacity(self.problem.ledger.len());
        for combination in &self.problem.ledger {
            let cleaned = self.vars.clean(combination);
            let first = match cleaned.row.first() {
                Some(&(v, _)) if cleaned.valid => v,
                _ => u32::MAX,
            };
            if first != u32::MAX {
                mark(&cleaned.row, &mut dsu);
            }
            ledger_first.push(first);
        }
        for row in &self.rows {
            mark(row, &mut dsu);
        }
        for (k, candidate) in self.problem.candidates.iter().enumerate() {
            let Some(&(first, _)) = self.rows[k].first() else {
                continue;
            };
            for &j in &candidate.parts {
                if let Some(&(other, _)) = self.rows.get(j).and_then(|r| r.first()) {
                    dsu.union(first, other);
                }
            }
        }
        // Number the components: by first candidate, then by ledger row.
        let mut comp_of_root = vec![u32::MAX; self.vars.count];
        let mut comps: Vec<Comp> = Vec::new();
        let mut comp_of = |v: u32, dsu: &mut Components, comps: &mut Vec<Comp>| {
            let root = dsu.find(v) as usize;
            if comp_of_root[root] == u32::MAX {
                comp_of_root[root] = comps.len() as u32;
                comps.push(Comp::default());
            }
            comp_of_root[root]
        };
        for (k, row) in self.rows.iter().enumerate() {
            if let Some(&(first, _)) = row.first() {
                let c = comp_of(first, &mut dsu, &mut comps);
                comps[c as usize].candidates.push(k as u32);
            }
        }
        for (i, &first) in ledger_first.iter().enumerate() {
            if first != u32::MAX {
                let c = comp_of(first, &mut dsu, &mut comps);
                comps[c as usize].ledger.push(i as u32);
            }
        }
        let mut comp_of_var = vec![u32::MAX; self.vars.count];
        for v in 0..self.vars.count {
            if in_row[v] {
                comp_of_var[v] = comp_of(v as u32, &mut dsu, &mut comps);
            }
        }
        self.comp_of_var = comp_of_var;
        let sources = std::mem::take(&mut self.sensitive);
        let mut touched: Vec<u32> = Vec::new();
        for &source in &sources {
            let row = self.row_of(source);
            // A variable in no row is in no span: the vector is safe.
            if row
                .iter()
                .any(|&(v, _)| self.comp_of_var[v as usize] == u32::MAX)
            {
                continue;
            }
            touched.clear();
            touched.extend(row.iter().map(|&(v, _)| self.comp_of_var[v as usize]));
            touched.sort_unstable();
            touched.dedup();
            if let [c] = touched[..] {
                comps[c as usize].sensitive.push(source);
                continue;
            }
            let x = self.cross.len() as u32;
            self.cross.push(Cross {
                source,
                start: self.parts.len() as u32,
                len: touched.len() as u32,
                done: false,
            });
            for &c in &touched {
                comps[c as usize].cross.push(x);
                self.parts.push(Part {
                    comp: c,
                    ledger_in: false,
                    final_in: false,
                });
            }
        }
        self.comps = comps;
    }

    fn part_mut(&mut self, x: u32, c: u32) -> Option<&mut Part> {
        let cross = &self.cross[x as usize];
        let range = cross.start as usize..(cross.start + cross.len) as usize;
        self.parts[range].iter_mut().find(|p| p.comp == c)
    }

    /// Opens component `c`: its variables numbered by pivot priority (fewest
    /// ledger rows last, then latest candidate last: the variable a
    /// cumulative row adds this month becomes its pivot, which keeps the
    /// prefix sums of the funnel free of fill-in), and its ledger's basis.
    fn open(&mut self, c: usize) -> Local {
        let comp = &self.comps[c];
        let ledger_rows: Vec<Row> = comp
            .ledger
            .iter()
            .map(|&i| self.vars.row(&self.problem.ledger[i as usize], |_| true))
            .collect();
        // Variables, with (ledger occurrences, last candidate position).
        let mut vars: Vec<u32> = Vec::new();
        let mut keys: Vec<(u32, u32)> = Vec::new();
        let local_of = &mut self.local_of;
        let mut touch = |v: u32, vars: &mut Vec<u32>, keys: &mut Vec<(u32, u32)>| -> usize {
            if local_of[v as usize] == u32::MAX {
                local_of[v as usize] = vars.len() as u32;
                vars.push(v);
                keys.push((0, 0));
            }
            local_of[v as usize] as usize
        };
        for row in &ledger_rows {
            for &(v, _) in row {
                let t = touch(v, &mut vars, &mut keys);
                keys[t].0 = keys[t].0.saturating_add(1);
            }
        }
        for (position, &k) in comp.candidates.iter().enumerate() {
            for &(v, _) in &self.rows[k as usize] {
                let t = touch(v, &mut vars, &mut keys);
                keys[t].1 = position as u32 + 1;
            }
        }
        // Every variable of a sensitive vector here is in a row here.
        let mut order: Vec<u32> = (0..vars.len() as u32).collect();
        order.sort_unstable_by_key(|&t| {
            let (occurrences, last) = keys[t as usize];
            (std::cmp::Reverse(occurrences), last, vars[t as usize])
        });
        let vars: Vec<u32> = order.iter().map(|&t| vars[t as usize]).collect();
        for (l, &v) in vars.iter().enumerate() {
            self.local_of[v as usize] = l as u32;
        }
        let mut local = Local {
            ledger: Basis::new(vars.len()),
            scratch: Scratch::new(vars.len()),
            vars,
            poisoned: false,
        };
        let mut rows: Vec<Row> = ledger_rows.iter().map(|r| self.to_local(r)).collect();
        drop(ledger_rows);
        // Short rows first (a group's cells before the programme's sums).
        rows.sort_by_key(|r| r.len());
        for row in rows {
            match local.ledger.reduce(&row, &mut local.scratch) {
                Ok(r) if r.is_empty() => {}
                Ok(r) => local.ledger.insert(r),
                Err(Overflow) => local.poisoned = true,
            }
        }
        local
    }

    fn close(&mut self, local: &Local) {
        for &v in &local.vars {
            self.local_of[v as usize] = u32::MAX;
        }
    }

    fn to_local(&self, row: &[(u32, i128)]) -> Row {
        let mut out: Row = row
            .iter()
            .map(|&(v, c)| (self.local_of[v as usize], c))
            .collect();
        out.sort_unstable_by_key(|&(v, _)| v);
        out
    }

    /// Whether each cross vector's projections are in their components'
    /// ledger spans; a vector wholly in the ledger's span is counted (once,
    /// however often it was given).
    fn ledger_spans_of_cross(&mut self) {
        for c in 0..self.comps.len() {
            if self.comps[c].cross.is_empty() {
                continue;
            }
            let mut local = self.open(c);
            for x in std::mem::take(&mut self.comps[c].cross) {
                let part = self.to_local(&self.projection(x, c as u32));
                let inside = local.poisoned
                    || local
                        .ledger
                        .reduce(&part, &mut local.scratch)
                        .map_or(true, |r| r.is_empty());
                if let Some(p) = self.part_mut(x, c as u32) {
                    p.ledger_in = inside;
                }
                self.comps[c].cross.push(x);
            }
            self.close(&local);
        }
        let mut disclosed = RowSet::default();
        for x in 0..self.cross.len() {
            let cross = &self.cross[x];
            let range = cross.start as usize..(cross.start + cross.len) as usize;
            if self.parts[range].iter().all(|p| p.ledger_in) {
                let mut row = self.row_of(cross.source);
                normalise(&mut row);
                if disclosed.insert(row) {
                    self.ledger_discloses += 1;
                }
                self.cross[x].done = true;
            }
        }
    }

    /// Whether the projection of cross vector `x` on component `c` is to be
    /// checked there: every earlier projection ended in its final span,
    /// every later one is in its ledger span.
    fn active(&self, x: u32, c: u32) -> bool {
        let cross = &self.cross[x as usize];
        let range = cross.start as usize..(cross.start + cross.len) as usize;
        !cross.done
            && self.parts[range]
                .iter()
                .all(|p| p.comp == c || if p.comp < c { p.final_in } else { p.ledger_in })
    }

    /// Steps 4 and 5 on component `c`.
    fn process(&mut self, c: usize) {
        let comp = &self.comps[c];
        if comp.candidates.is_empty() && comp.sensitive.is_empty() {
            for x in comp.cross.clone() {
                if let Some(p) = self.part_mut(x, c as u32) {
                    p.final_in = p.ledger_in;
                }
            }
            return;
        }
        let mut local = self.open(c);
        let comp = &self.comps[c];
        let candidates: Vec<(u32, Row)> = comp
            .candidates
            .iter()
            .map(|&k| (k, self.to_local(&self.rows[k as usize])))
            .collect();
        // The sensitive vectors of this component, once each, as residuals
        // against the ledger: local ones, and cross projections the rule
        // selects.
        let mut seen = RowSet::default();
        let mut residuals: Vec<Option<Row>> = Vec::new();
        for source in self.comps[c].sensitive.clone() {
            let mut row = self.to_local(&self.row_of(source));
            normalise(&mut row);
            if seen.insert(row.clone()) {
                residuals.push(self.ledger_residual(&mut local, &row, true));
            }
        }
        for x in self.comps[c].cross.clone() {
            if self.active(x, c as u32) {
                let mut row = self.to_local(&self.projection(x, c as u32));
                normalise(&mut row);
                if seen.insert(row.clone()) {
                    residuals.push(self.ledger_residual(&mut local, &row, false));
                }
            }
        }
        let basis = loop {
            if local.poisoned {
                for &(k, _) in &candidates {
                    if self.pending[k as usize] {
                        self.outcomes[k as usize] = Outcome::Secondary;
                    }
                }
                break local.ledger.clone();
            }
            let basis = self.pass(&mut local, &candidates, &residuals);
            match self.hidden_parts(&mut local, &basis, &candidates) {
                Ok(new) if new.is_empty() => break basis,
                Ok(new) => {
                    for row in new {
                        let mut row = self.to_local(&row);
                        normalise(&mut row);
                        if seen.insert(row.clone()) {
                            residuals.push(self.ledger_residual(&mut local, &row, true));
                        }
                    }
                }
                Err(Overflow) => local.poisoned = true,
            }
        };
        for x in self.comps[c].cross.clone() {
            let row = self.to_local(&self.projection(x, c as u32));
            let inside = local.poisoned
                || basis
                    .reduce(&row, &mut local.scratch)
                    .map_or(true, |r| r.is_empty());
            if let Some(p) = self.part_mut(x, c as u32) {
                p.final_in = inside;
            }
        }
        self.close(&local);
    }

    /// The residual of a sensitive vector against the ledger; `None` when
    /// the ledger's span already holds it (counted when `count`: a local
    /// vector, or a hidden-parts sum; a cross projection is counted once,
    /// by [`Engine::ledger_spans_of_cross`]).
    fn ledger_residual(&mut self, local: &mut Local, row: &Row, count: bool) -> Option<Row> {
        match local.ledger.reduce(row, &mut local.scratch) {
            Ok(r) if r.is_empty() => {
                if count {
                    self.ledger_discloses += 1;
                }
                None
            }
            Ok(r) => Some(r),
            Err(Overflow) => {
                local.poisoned = true;
                None
            }
        }
    }

    /// Step 4, "The pass": the candidates in order, from the ledger's
    /// basis; returns the final basis.
    fn pass(
        &mut self,
        local: &mut Local,
        candidates: &[(u32, Row)],
        residuals: &[Option<Row>],
    ) -> Basis {
        let mut basis = local.ledger.clone();
        let mut res = Residuals::new(local.vars.len(), residuals.to_vec());
        for (k, row) in candidates {
            let k = *k as usize;
            if !self.pending[k] {
                continue;
            }
            self.outcomes[k] = match basis.reduce(row, &mut local.scratch) {
                Err(Overflow) => Outcome::Secondary,
                Ok(r) if r.is_empty() => Outcome::Published,
                Ok(r) => match res.try_add(&r) {
                    Ok(updates) => {
                        let pivot = r.last().map_or(0, |&(p, _)| p);
                        res.commit(pivot, updates);
                        basis.insert(r);
                        Outcome::Published
                    }
                    Err(_) => Outcome::Secondary,
                },
            };
        }
        basis
    }

    /// Step 5: for every total in the span, the parts outside it must
    /// describe 0 or at least K people; the new sensitive sums (global
    /// variables).
    fn hidden_parts(
        &mut self,
        local: &mut Local,
        basis: &Basis,
        candidates: &[(u32, Row)],
    ) -> Result<Vec<Row>, Overflow> {
        let mut derivable: BTreeMap<u32, bool> = BTreeMap::new();
        let mut is_derivable = |k: u32, row: &Row, outcome: Outcome, scratch: &mut Scratch| {
            if let Some(&known) = derivable.get(&k) {
                return Ok(known);
            }
            // A hidden cell may still be derivable (a primary one only if
            // the ledger disclosed it).
            let known = outcome == Outcome::Published || basis.reduce(row, scratch)?.is_empty();
            derivable.insert(k, known);
            Ok::<bool, Overflow>(known)
        };
        let local_rows: BTreeMap<u32, &Row> = candidates.iter().map(|(k, r)| (*k, r)).collect();
        let mut new = Vec::new();
        for (k, row) in candidates {
            let parts = &self.problem.candidates[*k as usize].parts;
            if parts.is_empty()
                || !is_derivable(*k, row, self.outcomes[*k as usize], &mut local.scratch)?
            {
                continue;
            }
            let mut sum: BTreeMap<u32, i128> = self.rows[*k as usize].iter().copied().collect();
            let mut value = self.values[*k as usize];
            for &j in parts {
                if j == *k as usize || j >= self.rows.len() || self.rows[j].is_empty() {
                    continue;
                }
                let Some(part) = local_rows.get(&(j as u32)) else {
                    continue;
                };
                if !is_derivable(j as u32, part, self.outcomes[j], &mut local.scratch)? {
                    continue;
                }
                for &(v, c) in &self.rows[j] {
                    let entry = sum.entry(v).or_insert(0);
                    *entry = sub(*entry, c)?;
                }
                value = match (value, self.values[j]) {
                    (Some(a), Some(b)) => Some(sub(a, b)?),
                    _ => None,
                };
            }
            let mut hidden: Row = sum.into_iter().filter(|&(_, c)| c != 0).collect();
            normalise(&mut hidden);
            if !hidden.is_empty() && sensitive(value) && self.extra_seen.insert(hidden.clone()) {
                new.push(hidden);
            }
        }
        Ok(new)
    }
}
