//! A year file that `extends` another: the files of the chain read one by one (each keeps its
//! own lines for messages) and laid over each other, the extending file winning name by name.

use super::*;

/// Where an entry was written: the file (index into the chain) and the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Origin {
    pub(super) file: usize,
    pub(super) line: usize,
}

/// Entries by name in the order they were first declared.
#[derive(Debug)]
pub(super) struct Entries<T>(pub(super) Vec<(String, Origin, T)>);

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> Entries<T> {
    /// Lays `over` on these: a name declared again replaces its entry where it stood, new
    /// names follow in the order they are written.
    fn lay(&mut self, file: usize, text: &str, over: BTreeMap<String, Spanned<T>>) {
        let mut over: Vec<(String, Spanned<T>)> = over.into_iter().collect();
        over.sort_by_key(|(_, s)| s.span().start);
        for (name, spanned) in over {
            let origin = Origin {
                file,
                line: line_of(text, spanned.span().start),
            };
            let item = spanned.into_inner();
            match self.0.iter_mut().find(|(n, _, _)| *n == name) {
                Some(slot) => *slot = (name, origin, item),
                None => self.0.push((name, origin, item)),
            }
        }
    }

    fn remove(&mut self, name: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|(n, _, _)| n != name);
        self.0.len() != before
    }
}

/// One file of the chain as read.
pub(super) struct Source {
    pub(super) file: PathBuf,
    pub(super) text: String,
}

/// The chain laid into one file's worth of declarations.
pub(super) struct Merged {
    pub(super) sources: Vec<Source>,
    pub(super) meta: RawMeta,
    pub(super) calendar: Entries<RawDue>,
    pub(super) inputs: Entries<RawInput>,
    pub(super) values: Entries<RawValue>,
    pub(super) tables: Entries<RawTable>,
    pub(super) administration: Option<RawAdministration>,
    pub(super) statements: Option<RawStatements>,
}

/// The line where `key = …` is written (the first such line; 1 if none).
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(1, |i| i + 1)
}

/// How many files one chain may hold: ten years of amendments and then some.
const MAX_CHAIN: usize = 32;

fn parse_one(file: &Path, text: &str) -> Result<RawFile, LoadIssue> {
    toml::from_str(text).map_err(|e| LoadIssue {
        file: file.to_owned(),
        line: e.span().map_or(0, |s| line_of(text, s.start)),
        message: e.message().to_owned(),
    })
}

/// Reads `file` (whose text is `text`) and every file it extends, through `read`, and lays
/// them over each other, the base first.
pub(super) fn merge(
    file: &Path,
    text: &str,
    read: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<Merged, LoadError> {
    let mut chain: Vec<(Source, RawFile)> = Vec::new();
    let mut next = Some((file.to_owned(), text.to_owned()));
    while let Some((path, text)) = next.take() {
        let raw = parse_one(&path, &text).map_err(|i| LoadError(vec![i]))?;
        if let Some(base) = raw.meta.extends.as_deref() {
            let base_path = path.parent().unwrap_or(Path::new("")).join(base);
            let fail = |message: String| {
                LoadError(vec![LoadIssue {
                    file: path.clone(),
                    line: key_line(&text, "extends"),
                    message,
                }])
            };
            if chain.len() + 1 >= MAX_CHAIN
                || chain.iter().any(|(s, _)| s.file == base_path)
                || base_path == path
            {
                return Err(fail(format!(
                    "meta.extends: {base:?} leads back to a file already in the chain"
                )));
            }
            let base_text = read(&base_path)
                .map_err(|e| fail(format!("meta.extends: cannot read {base:?}: {e}")))?;
            next = Some((base_path, base_text));
        }
        chain.push((Source { file: path, text }, raw));
    }
    // Base first.
    chain.reverse();
    let mut merged = Merged {
        sources: Vec::new(),
        meta: RawMeta::default(),
        calendar: Entries::default(),
        inputs: Entries::default(),
        values: Entries::default(),
        tables: Entries::default(),
        administration: None,
        statements: None,
    };
    let mut issues = Vec::new();
    let last = chain.len() - 1;
    for (i, (source, raw)) in chain.into_iter().enumerate() {
        if i == last && last > 0 && raw.meta.year.is_none() {
            issues.push(LoadIssue {
                file: source.file.clone(),
                line: 1,
                message: "meta.year: a file that extends another states its own year".into(),
            });
        }
        for name in &raw.meta.remove {
            let gone = merged.inputs.remove(name)
                | merged.values.remove(name)
                | merged.tables.remove(name)
                | merged.calendar.remove(name);
            if !gone {
                issues.push(LoadIssue {
                    file: source.file.clone(),
                    line: key_line(&source.text, "remove"),
                    message: format!(
                        "meta.remove: `{name}` is not declared in the file this one extends"
                    ),
                });
            }
        }
        merged.inputs.lay(i, &source.text, raw.inputs);
        merged.values.lay(i, &source.text, raw.values);
        merged.tables.lay(i, &source.text, raw.tables);
        merged.calendar.lay(i, &source.text, raw.calendar);
        if raw.administration.is_some() {
            merged.administration = raw.administration;
        }
        if raw.statements.is_some() {
            merged.statements = raw.statements;
        }
        merged.meta.lay(raw.meta);
        merged.sources.push(source);
    }
    if issues.is_empty() {
        Ok(merged)
    } else {
        Err(LoadError(issues))
    }
}

impl RawMeta {
    fn lay(&mut self, over: RawMeta) {
        fn keep<T>(a: &mut Option<T>, b: Option<T>) {
            if b.is_some() {
                *a = b;
            }
        }
        keep(&mut self.tax, over.tax);
        keep(&mut self.title, over.title);
        keep(&mut self.year, over.year);
        keep(&mut self.period, over.period);
        keep(&mut self.currency, over.currency);
        keep(&mut self.law, over.law);
        keep(&mut self.outputs, over.outputs);
        keep(&mut self.balance, over.balance);
        keep(&mut self.income, over.income);
        keep(&mut self.tax_due, over.tax_due);
        keep(&mut self.prefill, over.prefill);
        self.extends = over.extends;
    }
}
