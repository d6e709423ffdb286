//! Generates the i18n module. The seed keeps the refcodes namespace at
//! `locales/{locale}/modules/refcodes.json`, but leptos_i18n only reads
//! `{dir}/{locale}/{namespace}.json`, so every namespace is staged in that shape under OUT_DIR.
use leptos_i18n_build::{Config, TranslationsInfos};
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

const DEFAULT_LOCALE: &str = "en";
const OTHER_LOCALES: [&str; 2] = ["uk", "ru"];
/// (namespace, path of its file inside `locales/{locale}/`)
const NAMESPACES: [(&str, &str); 2] = [
    ("common", "common.json"),
    ("refcodes", "modules/refcodes.json"),
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let staged = out_dir.join("staged");
    for locale in std::iter::once(DEFAULT_LOCALE).chain(OTHER_LOCALES) {
        for (namespace, file) in NAMESPACES {
            stage(locale, namespace, file, &staged)?;
        }
    }
    let cfg = Config::new(DEFAULT_LOCALE)?
        .add_locales(OTHER_LOCALES)?
        .add_namespaces(NAMESPACES.map(|(ns, _)| ns))?;
    let infos = TranslationsInfos::parse_at_dir(&staged, cfg)?;
    infos.emit_diagnostics();
    infos.generate_i18n_module(out_dir.join("i18n"))?;
    Ok(())
}

fn stage(locale: &str, namespace: &str, file: &str, staged: &Path) -> Result<(), Box<dyn Error>> {
    let original = Path::new("locales").join(locale).join(file);
    println!("cargo::rerun-if-changed={}", original.display());
    let target_dir = staged.join("locales").join(locale);
    fs::create_dir_all(&target_dir)?;
    fs::copy(&original, target_dir.join(format!("{namespace}.json")))
        .map_err(|e| format!("cannot stage {}: {e}", original.display()))?;
    Ok(())
}
