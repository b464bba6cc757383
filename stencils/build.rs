//! Builds the stencil table (DESIGN.md §5).
//!
//! 1. Digest the stencil sources (`src/*.c`, `src/*.h`), the pinned clang major version and the
//!    flags (sha256).
//! 2. If clang 19 is found (`MOCHI_CLANG` overrides the path; `MOCHI_CLANG=none` pretends it is
//!    absent): compile every `src/*.c` with exactly `FLAGS` (the `cc` crate drives clang with
//!    its default flags, Cargo's profile, CFLAGS and RUSTFLAGS all switched off), read each
//!    object with `object`, turn every `.text.NAME` section into a stencil (code, the read-only
//!    data it references, its holes) and render the table. It must equal the committed
//!    `generated/x86_64-linux.rs`; with `MOCHI_REGEN_STENCILS=1` the file is rewritten instead.
//! 3. Without clang, only check that the digest recorded in the committed table is the digest
//!    of the sources.
//!
//! Any relocation type other than R_X86_64_{64,32,32S,8,PC32,PLT32}, any undefined symbol other
//! than the holes, and any reference to code or writable data fails the build, naming the
//! stencil: such a stencil could not be copied and patched.

use object::{
    Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget, SectionIndex,
    SectionKind, SymbolSection,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The clang major version the stencils are pinned to.
const CLANG_MAJOR: u32 = 19;

/// Every argument clang gets besides `-c FILE -o OBJ` (checked against what `cc` actually
/// passes). `-Wall -Werror` first because that is where `cc` puts its warning flags.
const FLAGS: &[&str] = &[
    "-Werror",
    "-Wall",
    "--target=x86_64-unknown-linux-gnu",
    "-std=gnu11",
    "-O2",
    "-g0",
    "-fno-pic",
    "-mcmodel=small",
    "-fomit-frame-pointer",
    "-mno-red-zone",
    "-fno-asynchronous-unwind-tables",
    "-fno-unwind-tables",
    "-fno-stack-protector",
    "-ffreestanding",
    "-fno-builtin",
    "-fno-jump-tables",
    "-fcf-protection=none",
    "-fno-exceptions",
    "-fno-strict-aliasing",
    "-ffunction-sections",
    "-fdata-sections",
];

/// The committed table, relative to the crate root.
const GENERATED: &str = "generated/x86_64-linux.rs";

const STALE: &str = "the committed stencil table is stale: run \
     `MOCHI_REGEN_STENCILS=1 cargo build -p stencils` and commit stencils/generated/";

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed={GENERATED}");
    println!("cargo:rerun-if-env-changed=MOCHI_CLANG");
    println!("cargo:rerun-if-env-changed=MOCHI_REGEN_STENCILS");

    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if arch != "x86_64" || os != "linux" {
        // lib.rs exposes an empty table on this target; nothing to check.
        return Ok(());
    }

    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let sources = list_sources(&root.join("src"))?;
    let digest = digest(&sources);
    let gen_path = root.join(GENERATED);
    let committed = std::fs::read_to_string(&gen_path).ok();
    let regen = std::env::var("MOCHI_REGEN_STENCILS").is_ok_and(|v| v == "1");

    let Some(clang) = find_clang()? else {
        let Some(committed) = committed else {
            return Err(format!(
                "{} is missing and clang-{CLANG_MAJOR} is not installed: \
                 apt-get install clang-{CLANG_MAJOR}",
                gen_path.display()
            ));
        };
        let recorded = recorded(&committed, "DIGEST").unwrap_or_default();
        if recorded != digest {
            return Err(format!(
                "stencil sources changed but clang-{CLANG_MAJOR} is not installed: \
                 apt-get install clang-{CLANG_MAJOR} (committed table digest {recorded}, \
                 sources digest {digest})"
            ));
        }
        return Ok(());
    };

    let version = clang_version(&clang)?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let objects = compile(&clang, &sources, &out_dir.join("stencil-objects"))?;
    let mut stencils = BTreeMap::new();
    let mut abi = None;
    for (src, obj) in &objects {
        let bytes = std::fs::read(obj).map_err(|e| format!("{}: {e}", obj.display()))?;
        let file = object::File::parse(&*bytes).map_err(|e| format!("{}: {e}", obj.display()))?;
        for s in extract(&file, src)? {
            if let Some(old) = stencils.insert(s.name.clone(), s) {
                return Err(format!("stencil `{}` is defined twice", old.name));
            }
        }
        if let Some(facts) = read_abi(&file)? {
            abi = Some(facts);
        }
    }
    let abi = abi.ok_or("abi_probe.c: symbols mochi_abi / mochi_abi_names not found")?;

    // Render with the committed clang version first: a different patch release of clang 19
    // that produces the same code is not a stale table.
    let committed_version = committed
        .as_deref()
        .and_then(|c| recorded(c, "CLANG_VERSION"));
    let text_as_committed = render(
        committed_version.as_deref().unwrap_or(&version),
        &digest,
        &abi,
        &stencils,
    );
    if committed.as_deref() == Some(text_as_committed.as_str()) {
        if committed_version.as_deref() != Some(version.as_str()) {
            println!(
                "cargo:warning=stencil table generated by `{}`, this is `{version}`; same output",
                committed_version.unwrap_or_default()
            );
        }
        return Ok(());
    }
    if regen {
        let text = render(&version, &digest, &abi, &stencils);
        std::fs::create_dir_all(gen_path.parent().unwrap()).map_err(|e| e.to_string())?;
        std::fs::write(&gen_path, text).map_err(|e| format!("{}: {e}", gen_path.display()))?;
        println!(
            "cargo:warning=regenerated {} ({} stencils)",
            gen_path.display(),
            stencils.len()
        );
        return Ok(());
    }
    Err(STALE.to_string())
}

/// The stencil sources: `*.c` and `*.h` in `src/`, sorted by name.
fn list_sources(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = e.map_err(|e| e.to_string())?.path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".c") || name.ends_with(".h") {
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            out.push((name, bytes));
        }
    }
    out.sort();
    Ok(out)
}

/// sha256 over the clang major version, the flags and every source (name, length, bytes).
fn digest(sources: &[(String, Vec<u8>)]) -> String {
    let mut h = Sha256::new();
    h.update(format!("clang {CLANG_MAJOR}\n"));
    h.update(format!("flags {}\n", FLAGS.join(" ")));
    for (name, bytes) in sources {
        h.update(format!("file {name} {}\n", bytes.len()));
        h.update(bytes);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A `pub const NAME: &str = "...";` value recorded in the committed table.
fn recorded(text: &str, name: &str) -> Option<String> {
    let prefix = format!("pub const {name}: &str = ");
    let line = text.lines().find(|l| l.starts_with(&prefix))?;
    let lit = line[prefix.len()..].trim_end_matches(';');
    Some(unescape(lit.strip_prefix('"')?.strip_suffix('"')?))
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            if let Some(n) = it.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `MOCHI_CLANG` (a path; `none` or empty = pretend clang is absent), else `clang-19` on PATH,
/// else `/usr/bin/clang-19`.
fn find_clang() -> Result<Option<PathBuf>, String> {
    if let Some(p) = std::env::var_os("MOCHI_CLANG") {
        if p.is_empty() || p == "none" {
            return Ok(None);
        }
        return Ok(Some(PathBuf::from(p)));
    }
    let exe = format!("clang-{CLANG_MAJOR}");
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let c = dir.join(&exe);
            if c.is_file() {
                return Ok(Some(c));
            }
        }
    }
    let c = PathBuf::from(format!("/usr/bin/{exe}"));
    Ok(c.is_file().then_some(c))
}

/// The first line of `clang --version`, checked to be the pinned major version.
fn clang_version(clang: &Path) -> Result<String, String> {
    let out = Command::new(clang)
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", clang.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().next().unwrap_or("").trim().to_string();
    let major = line
        .split("clang version ")
        .nth(1)
        .and_then(|v| v.split('.').next())
        .and_then(|v| v.parse::<u32>().ok());
    if major != Some(CLANG_MAJOR) {
        return Err(format!(
            "{} is `{line}`, but the stencils are pinned to clang {CLANG_MAJOR} \
             (set MOCHI_CLANG to a clang-{CLANG_MAJOR} binary)",
            clang.display()
        ));
    }
    Ok(line)
}

/// Compile every `.c` source with exactly `FLAGS`. Returns (source name, object path).
fn compile(
    clang: &Path,
    sources: &[(String, Vec<u8>)],
    out_dir: &Path,
) -> Result<Vec<(String, PathBuf)>, String> {
    // `cc` appends CFLAGS-style variables from the environment; the stencil flags are part of
    // the digest and must not change with the caller's environment.
    let env_flags: Vec<_> = std::env::vars_os()
        .map(|(k, _)| k)
        .filter(|k| {
            let k = k.to_string_lossy();
            k.contains("CFLAGS") || k == "CRATE_CC_NO_DEFAULTS" || k == "CC_SHELL_ESCAPED_FLAGS"
        })
        .collect();
    for k in env_flags {
        // A safe fn in edition 2021; the build script has no other threads at this point.
        std::env::remove_var(k);
    }
    std::fs::create_dir_all(out_dir).map_err(|e| e.to_string())?;
    let src_dir = Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("src");
    let mut out = Vec::new();
    for (name, _) in sources.iter().filter(|(n, _)| n.ends_with(".c")) {
        let mut build = cc::Build::new();
        build
            .compiler(clang)
            .no_default_flags(true)
            .inherit_rustflags(false)
            .inherit_trim_paths(false)
            .cargo_metadata(false)
            .emit_rerun_if_env_changed(false)
            .warnings(true)
            .extra_warnings(false)
            .warnings_into_errors(true)
            .out_dir(out_dir)
            .file(src_dir.join(name));
        // cc adds -Werror and -Wall itself; everything else comes from FLAGS.
        for f in &FLAGS[2..] {
            build.flag(f);
        }
        let tool = build.try_get_compiler().map_err(|e| e.to_string())?;
        let args: Vec<String> = tool
            .args()
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        if args != FLAGS {
            return Err(format!(
                "cc would run clang with {args:?}, expected exactly {FLAGS:?}"
            ));
        }
        let objs = build
            .try_compile_intermediates()
            .map_err(|e| format!("compiling {name}: {e}"))?;
        let [obj] = objs.as_slice() else {
            return Err(format!(
                "compiling {name}: expected one object, got {objs:?}"
            ));
        };
        out.push((name.clone(), obj.clone()));
    }
    Ok(out)
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Abs64,
    Abs32,
    Abs32S,
    Rel32,
    Abs8,
}

impl Kind {
    /// Bytes the hole takes.
    fn width(self) -> u64 {
        match self {
            Kind::Abs64 => 8,
            Kind::Abs8 => 1,
            _ => 4,
        }
    }
}

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Sym {
    Continue,
    Target,
    A,
    B,
    C,
    K,
    Pc,
    R0,
    R1,
    R2,
    R3,
    R4,
    R5,
    F0,
    F1,
    F2,
    F3,
    F4,
    F5,
    F6,
    F7,
    Exit,
    OA,
    OB,
    OC,
    HelperOp,
    Helper(String),
    OwnData,
    Callee,
    Frame,
    Cold,
    ModMagic,
    ModShift,
    ModLimit,
    ModDivisor,
    Pow2Mask,
    K2,
}

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct HoleOut {
    in_data: bool,
    offset: u64,
    kind: Kind,
    sym: Sym,
    addend: i64,
    /// A reference into a constant pool, still to be placed by `pool_entry`: the pool's bytes
    /// and its entry size.
    pool_entry: Option<(Vec<u8>, u64)>,
}

struct StencilOut {
    name: String,
    file: String,
    code: Vec<u8>,
    data: Vec<u8>,
    holes: Vec<HoleOut>,
}

/// Whether a jump inside the stencil may land at byte `at`. Without a decoder this is judged
/// conservatively: any byte outside a hole that looks like a jump opcode (`7x`/`eb`/`e3` rel8,
/// `0f 8x`/`e9` rel32 whose field is not a hole) and whose displacement leads to `at` counts.
fn may_be_reached(code: &[u8], holes: &[HoleOut], at: usize) -> bool {
    let in_hole = |i: usize| {
        holes.iter().any(|h| {
            let w = h.kind.width() as usize;
            !h.in_data && h.offset as usize <= i && i < h.offset as usize + w
        })
    };
    let rel32 = |i: usize| {
        (i + 4 <= code.len() && !in_hole(i))
            .then(|| i32::from_le_bytes(code[i..i + 4].try_into().unwrap()) as i64)
    };
    (0..code.len()).any(|i| {
        if in_hole(i) {
            return false;
        }
        let lands = |next: usize, disp: i64| next as i64 + disp == at as i64;
        match code[i] {
            0x70..=0x7f | 0xeb | 0xe3 if i + 1 < code.len() => {
                lands(i + 2, code[i + 1] as i8 as i64)
            }
            0xe9 => rel32(i + 1).is_some_and(|d| lands(i + 5, d)),
            0x0f if i + 1 < code.len() && (0x80..=0x8f).contains(&code[i + 1]) => {
                rel32(i + 2).is_some_and(|d| lands(i + 6, d))
            }
            _ => false,
        }
    })
}

/// The instructions of a stencil's code (None if any fails to decode).
fn decode(code: &[u8]) -> Option<Vec<iced_x86::Instruction>> {
    let mut insns = Vec::new();
    let mut decoder = iced_x86::Decoder::with_ip(64, code, 0, iced_x86::DecoderOptions::NONE);
    while decoder.can_decode() {
        let i = decoder.decode();
        if i.is_invalid() {
            return None;
        }
        insns.push(i);
    }
    Some(insns)
}

/// The code hole at byte `off`, if any.
fn code_hole_at(holes: &[HoleOut], off: usize) -> Option<usize> {
    holes
        .iter()
        .position(|h| !h.in_data && h.offset == off as u64)
}

/// Retarget conditional jumps that reach a `jmp _EXIT` (or `jmp _TARGET`) elsewhere in the
/// stencil straight at the hole, and drop that `jmp` once nothing else reaches it. clang lays
/// a checked op whose check is marked unlikely out as
///
/// ```text
///   jcc cold          7x <rel8>
///   ...hot path...
///   jmp _CONTINUE     e9 <rel32 hole>
/// cold:
///   jmp _EXIT         e9 <rel32 hole>
/// ```
///
/// so the hot path's `jmp _CONTINUE` is not the stencil's last instruction and the emitter
/// cannot drop it: every list or field access took a jump to the next instruction. The
/// rewrite makes the `jcc` a rel32 `jcc _EXIT` (`0f 8x <hole>`), deletes the cold `jmp`, and
/// lays the stencil out again with every other branch inside it re-aimed; it needs a real
/// decoder (iced-x86) for that, and gives up (leaving the stencil as it was) if any
/// instruction fails to decode, if a short branch would no longer reach, or if an
/// instruction addresses memory relative to rip without a hole.
fn relax_exit_tails(code: &mut Vec<u8>, holes: &mut Vec<HoleOut>) {
    use iced_x86::FlowControl;
    let Some(insns) = decode(code) else { return };
    // `jmp _EXIT` / `jmp _TARGET`: start offset -> the hole's symbol.
    let mut tails = BTreeMap::new();
    for i in &insns {
        let at = i.ip() as usize;
        if code[at] == 0xe9 && i.len() == 5 {
            if let Some(k) = code_hole_at(holes, at + 1) {
                let h = &holes[k];
                if matches!(h.sym, Sym::Exit | Sym::Target)
                    && h.kind == Kind::Rel32
                    && h.addend == -4
                {
                    tails.insert(at, h.sym.clone());
                }
            }
        }
    }
    let internal = |i: &iced_x86::Instruction| {
        matches!(
            i.flow_control(),
            FlowControl::ConditionalBranch | FlowControl::UnconditionalBranch
        ) && (i.is_jcc_short_or_near() || i.is_jmp_short_or_near())
            && (i.len() == 2 || code_hole_at(holes, i.ip() as usize + i.len() - 4).is_none())
    };
    // Which instructions change: conditional jumps to a tail become `jcc hole` (6 bytes).
    let mut convert = vec![None; insns.len()];
    for (n, i) in insns.iter().enumerate() {
        if i.is_jcc_short_or_near() && internal(i) {
            if let Some(sym) = tails.get(&(i.near_branch_target() as usize)) {
                convert[n] = Some(sym.clone());
            }
        }
    }
    // One-byte no-ops go (the ones `fold_exit_branches` leaves; a jump to one then lands on
    // the next instruction, which is where it went on).
    let nop = |i: &iced_x86::Instruction| i.len() == 1 && code[i.ip() as usize] == 0x90;
    if convert.iter().all(Option::is_none) && !insns.iter().any(nop) {
        return;
    }
    // A tail goes when no remaining jump reaches it and it is not fallen into.
    let mut delete = vec![false; insns.len()];
    for (n, i) in insns.iter().enumerate() {
        let at = i.ip() as usize;
        if nop(i) {
            delete[n] = true;
            continue;
        }
        if !tails.contains_key(&at) || n == 0 {
            continue;
        }
        let prev = &insns[n - 1];
        let falls_in = !matches!(
            prev.flow_control(),
            FlowControl::UnconditionalBranch | FlowControl::Return
        );
        let reached = insns.iter().enumerate().any(|(m, j)| {
            convert[m].is_none() && internal(j) && j.near_branch_target() as usize == at
        });
        delete[n] = !falls_in && !reached;
    }
    // New layout.
    let mut new_at = Vec::with_capacity(insns.len() + 1);
    let mut pos = 0usize;
    for (n, i) in insns.iter().enumerate() {
        new_at.push(pos);
        pos += if delete[n] {
            0
        } else if convert[n].is_some() {
            6
        } else {
            i.len()
        };
    }
    new_at.push(pos);
    let index_of = |off: usize| insns.iter().position(|i| i.ip() as usize == off);
    let mut out = Vec::with_capacity(pos);
    let mut new_holes = Vec::new();
    for (n, i) in insns.iter().enumerate() {
        let at = i.ip() as usize;
        let len = i.len();
        if i.is_ip_rel_memory_operand()
            && !holes
                .iter()
                .any(|h| !h.in_data && (h.offset as usize) >= at && (h.offset as usize) < at + len)
        {
            return;
        }
        if delete[n] {
            continue;
        }
        if let Some(sym) = &convert[n] {
            let cc = if code[at] == 0x0f {
                code[at + 1] & 0x0f
            } else {
                code[at] & 0x0f
            };
            out.extend_from_slice(&[0x0f, 0x80 | cc, 0, 0, 0, 0]);
            new_holes.push(HoleOut {
                in_data: false,
                offset: (new_at[n] + 2) as u64,
                kind: Kind::Rel32,
                sym: sym.clone(),
                addend: -4,
                pool_entry: None,
            });
            continue;
        }
        let mut bytes = code[at..at + len].to_vec();
        if internal(i) {
            let Some(t) = index_of(i.near_branch_target() as usize)
                .or_else(|| (i.near_branch_target() as usize == code.len()).then_some(insns.len()))
            else {
                return;
            };
            let disp = new_at[t] as i64 - (new_at[n] + len) as i64;
            let short = len == 2;
            if short {
                let Ok(d) = i8::try_from(disp) else { return };
                bytes[1] = d as u8;
            } else {
                let Ok(d) = i32::try_from(disp) else { return };
                bytes[len - 4..].copy_from_slice(&d.to_le_bytes());
            }
        }
        out.extend_from_slice(&bytes);
    }
    for h in holes.iter() {
        if h.in_data {
            new_holes.push(h.clone());
            continue;
        }
        let off = h.offset as usize;
        let Some(n) = insns
            .iter()
            .position(|i| (i.ip() as usize) <= off && off < i.ip() as usize + i.len())
        else {
            return;
        };
        if delete[n] {
            continue;
        }
        if convert[n].is_some() {
            return; // a converted jump had no hole of its own
        }
        let mut h = h.clone();
        h.offset = (new_at[n] + off - insns[n].ip() as usize) as u64;
        new_holes.push(h);
    }
    *code = out;
    *holes = new_holes;
}

/// A rel32 code hole at `offset` for `sym` plus `addend`.
fn rel32_hole(offset: usize, sym: Sym, addend: i64) -> HoleOut {
    HoleOut {
        in_data: false,
        offset: offset as u64,
        kind: Kind::Rel32,
        sym,
        addend,
        pool_entry: None,
    }
}

/// The name of the cold twin of stencil `S` is `cold.S` (see [`split_cold_tail`]).
const COLD_PREFIX: &str = "cold.";

/// Move a stencil's cold tail out of the hot line. clang lays out a stencil whose rare case
/// takes more than a side exit (a list index counting from the end, a 64-bit division) as
///
/// ```text
///   ...                 (jumps into `cold`)
///   jmp _CONTINUE       hot path ends
/// cold:
///   ...                 rare path
///   jmp _CONTINUE       (or a side exit)
/// ```
///
/// so the hot path ends in a jump to the next instruction that the emitter cannot drop: it
/// is not the stencil's last instruction. The split keeps `0..cold` as the stencil, with
/// every jump into the tail made a rel32 jump to the new hole `_COLD` (the address where the
/// emitter puts the tail) plus the target's offset in it, so its `jmp _CONTINUE` is last and
/// the hot path falls through into the next instruction. The tail becomes a stencil of its
/// own, `cold.NAME`, whose holes are the ones it had (`_CONTINUE` is the same address: where
/// the hot piece ends). A stencil whose hot path ends in `jcc _CONTINUE` followed by the tail
/// (an op that works in place and undoes it before a side exit) is split the same way: the
/// `jcc` becomes the inverted `jcc _COLD` and a final `jmp _CONTINUE`, so that path, too,
/// falls through with no taken branch. Nothing is split, and the stencil stays as it was, in a branch op,
/// when an
/// instruction fails to decode, when the tail jumps back into the hot part, when a short
/// branch would no longer reach, or when an instruction addresses memory relative to rip
/// without a hole.
fn split_cold_tail(
    code: &mut Vec<u8>,
    holes: &mut Vec<HoleOut>,
) -> Option<(Vec<u8>, Vec<HoleOut>)> {
    use iced_x86::FlowControl;
    let hole_at = |off: usize| code_hole_at(holes, off);
    let insns = decode(code)?;
    let continue_jump = |i: &iced_x86::Instruction| {
        let at = i.ip() as usize;
        code[at] == 0xe9
            && i.len() == 5
            && hole_at(at + 1).is_some_and(|k| {
                let h = &holes[k];
                h.sym == Sym::Continue && h.kind == Kind::Rel32 && h.addend == -4
            })
    };
    // A branch op's `jmp _CONTINUE` runs only when the branch is not taken (a loop's exit),
    // so splitting it would only lengthen its short jumps into the tail.
    if holes.iter().any(|h| h.sym == Sym::Target) {
        return None;
    }
    // `jcc _CONTINUE`: the hot path continues on a condition and the tail follows (an op
    // that works in place and undoes its work before a side exit, `add_i64`'s accumulator
    // forms).
    let continue_jcc = |i: &iced_x86::Instruction| {
        let at = i.ip() as usize;
        code[at] == 0x0f
            && code[at + 1] & 0xf0 == 0x80
            && i.len() == 6
            && hole_at(at + 2).is_some_and(|k| {
                let h = &holes[k];
                h.sym == Sym::Continue && h.kind == Kind::Rel32 && h.addend == -4
            })
    };
    // The split: after the first `jmp _CONTINUE` or `jcc _CONTINUE` that is not the last
    // instruction. A `jcc _CONTINUE` becomes the inverted `jcc` into the tail followed by
    // `jmp _CONTINUE` (which the emitter drops when the next instruction follows).
    let s = insns
        .iter()
        .position(|i| continue_jump(i) || continue_jcc(i))?;
    if s + 1 == insns.len() {
        return None;
    }
    let cond = continue_jcc(&insns[s]);
    let split = insns[s].ip() as usize + insns[s].len();
    let internal = |i: &iced_x86::Instruction| {
        matches!(
            i.flow_control(),
            FlowControl::ConditionalBranch | FlowControl::UnconditionalBranch
        ) && (i.is_jcc_short_or_near() || i.is_jmp_short_or_near())
            && (i.len() == 2 || hole_at(i.ip() as usize + i.len() - 4).is_none())
    };
    let mut into_cold = 0;
    for (n, i) in insns.iter().enumerate() {
        let at = i.ip() as usize;
        if i.is_ip_rel_memory_operand()
            && !holes.iter().any(|h| {
                !h.in_data && (h.offset as usize) >= at && (h.offset as usize) < at + i.len()
            })
        {
            return None;
        }
        // (a branch of another kind, e.g. `jrcxz`, or an indirect one: too unusual to move)
        if matches!(
            i.flow_control(),
            FlowControl::ConditionalBranch | FlowControl::UnconditionalBranch
        ) && !internal(i)
            && hole_at(at + i.len() - 4).is_none()
        {
            return None;
        }
        if internal(i) {
            let t = i.near_branch_target() as usize;
            match n > s {
                // The tail only jumps within itself.
                true if t < split => return None,
                false if t >= split => into_cold += 1,
                _ => {}
            }
        }
    }
    if into_cold == 0 && !cond {
        return None; // a tail nothing jumps to (dead code): leave it
    }
    // The hot part's new layout: jumps into the tail become rel32 jumps to `_COLD`.
    let to_cold =
        |i: &iced_x86::Instruction| internal(i) && i.near_branch_target() as usize >= split;
    let mut new_at = Vec::with_capacity(s + 2);
    let mut pos = 0usize;
    for (n, i) in insns[..=s].iter().enumerate() {
        new_at.push(pos);
        if n == s && cond {
            pos += 6 + 5;
            continue;
        }
        pos += match (to_cold(i), i.is_jcc_short_or_near()) {
            (true, true) => 6,
            (true, false) => 5,
            (false, _) => i.len(),
        };
    }
    new_at.push(pos);
    let mut hot = Vec::with_capacity(pos);
    let mut hot_holes = Vec::new();
    for (n, i) in insns[..=s].iter().enumerate() {
        let at = i.ip() as usize;
        let len = i.len();
        if n == s && cond {
            // j!cc _COLD (the tail's start), then jmp _CONTINUE
            hot.extend_from_slice(&[0x0f, 0x80 | ((code[at + 1] & 0x0f) ^ 1), 0, 0, 0, 0]);
            hot_holes.push(rel32_hole(hot.len() - 4, Sym::Cold, -4));
            hot.extend_from_slice(&[0xe9, 0, 0, 0, 0]);
            hot_holes.push(rel32_hole(hot.len() - 4, Sym::Continue, -4));
            continue;
        }
        if to_cold(i) {
            let t = i.near_branch_target() as usize;
            if i.is_jcc_short_or_near() {
                let cc = if code[at] == 0x0f {
                    code[at + 1] & 0x0f
                } else {
                    code[at] & 0x0f
                };
                hot.extend_from_slice(&[0x0f, 0x80 | cc, 0, 0, 0, 0]);
            } else {
                hot.extend_from_slice(&[0xe9, 0, 0, 0, 0]);
            }
            hot_holes.push(rel32_hole(hot.len() - 4, Sym::Cold, (t - split) as i64 - 4));
            continue;
        }
        let mut bytes = code[at..at + len].to_vec();
        if internal(i) {
            let t = i.near_branch_target() as usize;
            let tn = insns[..=s].iter().position(|j| j.ip() as usize == t)?;
            let disp = new_at[tn] as i64 - (new_at[n] + len) as i64;
            if len == 2 {
                bytes[1] = i8::try_from(disp).ok()? as u8;
            } else {
                bytes[len - 4..].copy_from_slice(&i32::try_from(disp).ok()?.to_le_bytes());
            }
        }
        hot.extend_from_slice(&bytes);
    }
    let mut cold_holes = Vec::new();
    for h in holes.iter() {
        let off = h.offset as usize;
        if off >= split {
            let mut h = h.clone();
            h.offset = (off - split) as u64;
            cold_holes.push(h);
            continue;
        }
        let n = insns[..=s]
            .iter()
            .position(|i| (i.ip() as usize) <= off && off < i.ip() as usize + i.len())?;
        if n == s && cond {
            continue; // (its holes were made above)
        }
        if to_cold(&insns[n]) {
            return None; // (internal jumps have no hole)
        }
        let mut h = h.clone();
        h.offset = (new_at[n] + off - insns[n].ip() as usize) as u64;
        hot_holes.push(h);
    }
    let cold = code[split..].to_vec();
    *code = hot;
    *holes = hot_holes;
    Some((cold, cold_holes))
}

/// Fold a side exit or a branch that clang laid out as a branch over a jump,
///
/// ```text
///   jcc +5            7x 05
///   jmp _EXIT         e9 <rel32 hole>      (or _TARGET)
/// next:
/// ```
///
/// into one conditional jump, `j!cc _EXIT` (`0f 8x <rel32 hole>`) and a `nop`, so the hot path
/// of a checked op falls through with no taken branch, and a compare-and-branch op takes a
/// branch only where the bytecode jumps (its `next` is `jmp _CONTINUE`, which the emitter
/// drops when the next instruction follows). (clang does not emit conditional tail calls for
/// these, and marking the exit unlikely instead moves the hot path's `jmp _CONTINUE` away from
/// the end of the stencil, where the emitter can drop it.) Only a `jmp` whose displacement is
/// an `_EXIT` or `_TARGET` relocation qualifies, so the bytes before it are known to be an
/// instruction boundary followed by the rel32 field; the two bytes before it must not lie in
/// another hole, and no other jump of the stencil may reach the `jmp` ([`may_be_reached`]).
fn fold_exit_branches(code: &mut [u8], holes: &mut [HoleOut]) {
    let in_hole = |holes: &[HoleOut], at: u64| {
        holes.iter().any(|h| {
            let w = h.kind.width();
            !h.in_data && h.offset <= at && at < h.offset + w
        })
    };
    for i in 0..holes.len() {
        let h = &holes[i];
        if h.in_data
            || !matches!(h.sym, Sym::Exit | Sym::Target)
            || h.kind != Kind::Rel32
            || h.addend != -4
        {
            continue;
        }
        let o = h.offset as usize;
        if o < 3
            || code[o - 1] != 0xe9
            || code[o - 2] != 0x05
            || !(0x70..=0x7f).contains(&code[o - 3])
        {
            continue;
        }
        if in_hole(holes, (o - 3) as u64) || in_hole(holes, (o - 2) as u64) {
            continue;
        }
        // The `jmp` becomes the tail of the new `jcc`: nothing else may jump to it.
        if may_be_reached(code, holes, o - 1) {
            continue;
        }
        // jcc +5 over the jmp: jump to _EXIT on the opposite condition (cc ^ 1).
        let cc = code[o - 3] & 0x0f;
        code[o - 3] = 0x0f;
        code[o - 2] = 0x80 | (cc ^ 1);
        code.copy_within(o..o + 4, o - 1);
        code[o + 3] = 0x90; // nop: falls through to `next`
        holes[i].offset = (o - 1) as u64;
    }
}

/// A compare-and-branch that clang ended with a conditional jump to the next instruction and
/// an unconditional one to the branch target,
///
/// ```text
///   jcc _CONTINUE     0f 8x <rel32 hole>
///   jmp _TARGET       e9 <rel32 hole>
/// ```
///
/// becomes `j!cc _TARGET; jmp _CONTINUE` (same bytes, condition inverted, the two holes
/// swapped; the same for `jmp _EXIT`, as clang lays out an in-place overflow check): the emitter drops a trailing `jmp _CONTINUE` when the next instruction follows, so
/// the branch costs one conditional jump, taken only where the bytecode jumps. Both jumps
/// change, so a branch inside the stencil that reaches either (the NaN test of a float compare
/// jumps to the `jmp`) forbids the swap ([`may_be_reached`]).
fn swap_branch_tail(code: &mut [u8], holes: &mut [HoleOut]) {
    let n = code.len();
    if n < 11 || code[n - 11] != 0x0f || !(0x80..=0x8f).contains(&code[n - 10]) {
        return;
    }
    if code[n - 5] != 0xe9 {
        return;
    }
    if may_be_reached(code, holes, n - 5) || may_be_reached(code, holes, n - 11) {
        return;
    }
    let at = |holes: &[HoleOut], off: usize, sym: Sym| {
        holes.iter().position(|h| {
            !h.in_data
                && h.offset == off as u64
                && h.kind == Kind::Rel32
                && h.addend == -4
                && h.sym == sym
        })
    };
    let (Some(cont), Some(target)) = (
        at(holes, n - 9, Sym::Continue),
        at(holes, n - 4, Sym::Target).or_else(|| at(holes, n - 4, Sym::Exit)),
    ) else {
        return;
    };
    code[n - 10] ^= 1;
    holes[cont].sym = holes[target].sym.clone();
    holes[target].sym = Sym::Continue;
}

/// Every `.text.NAME` section of one object becomes a stencil.
fn extract(file: &object::File, src: &str) -> Result<Vec<StencilOut>, String> {
    let mut out = Vec::new();
    for sec in file.sections() {
        let sname = sec.name().map_err(|e| e.to_string())?;
        if sec.kind() != SectionKind::Text || sec.size() == 0 {
            continue;
        }
        let Some(name) = sname.strip_prefix(".text.") else {
            return Err(format!(
                "{src}: code in section {sname}: compile with -ffunction-sections"
            ));
        };
        // The section must hold exactly the one global function it is named after.
        let funcs: Vec<_> = file
            .symbols()
            .filter(|s| s.section_index() == Some(sec.index()) && s.is_definition())
            .filter(|s| s.kind() == object::SymbolKind::Text)
            .collect();
        if funcs.len() != 1
            || funcs[0].name() != Ok(name)
            || !funcs[0].is_global()
            || funcs[0].address() != 0
        {
            return Err(format!(
                "{src}: section {sname} must hold exactly the global function `{name}` \
                 (a static function that was not inlined? mark it always_inline)"
            ));
        }
        let mut code = sec.data().map_err(|e| e.to_string())?.to_vec();
        let mut data = Vec::new();
        let mut placed: BTreeMap<usize, u64> = BTreeMap::new();
        let mut pool: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        let mut pending: Vec<SectionIndex> = Vec::new();
        let mut holes = Vec::new();
        for (off, rel) in sec.relocations() {
            let mut h = hole(
                file,
                name,
                off,
                &rel,
                false,
                &mut data,
                &mut placed,
                &mut pending,
            )?;
            if let Some(entry) = h.pool_entry.take() {
                pool_entry(&code, off, entry, &mut h, &mut data, &mut pool)?;
            }
            holes.push(h);
        }
        // Relocations inside the copied data (none today; helper addresses or references to
        // other read-only data would be fine, per-instruction values would not).
        while let Some(idx) = pending.pop() {
            let dsec = file.section_by_index(idx).map_err(|e| e.to_string())?;
            let base = placed[&idx.0];
            for (off, rel) in dsec.relocations() {
                let h = hole(
                    file,
                    name,
                    base + off,
                    &rel,
                    true,
                    &mut data,
                    &mut placed,
                    &mut pending,
                )?;
                if !matches!(h.sym, Sym::Helper(_) | Sym::OwnData) {
                    return Err(format!(
                        "stencil `{name}`: read-only data refers to {:?}, which differs per \
                         instruction (data is shared by a function's instructions)",
                        h.sym
                    ));
                }
                holes.push(h);
            }
        }
        relax_exit_tails(&mut code, &mut holes);
        fold_exit_branches(&mut code, &mut holes);
        relax_exit_tails(&mut code, &mut holes); // drops the folds' no-ops
        swap_branch_tail(&mut code, &mut holes);
        let cold = match data.is_empty() {
            true => split_cold_tail(&mut code, &mut holes),
            false => None,
        };
        if let Some((cold_code, mut cold_holes)) = cold {
            cold_holes.sort();
            out.push(StencilOut {
                name: format!("{COLD_PREFIX}{name}"),
                file: src.to_string(),
                code: cold_code,
                data: Vec::new(),
                holes: cold_holes,
            });
        }
        holes.sort();
        for w in holes.windows(2) {
            let end = w[0].offset + w[0].kind.width();
            if w[0].in_data == w[1].in_data && end > w[1].offset {
                return Err(format!("stencil `{name}`: overlapping holes {w:?}"));
            }
        }
        out.push(StencilOut {
            name: name.to_string(),
            file: src.to_string(),
            code,
            data,
            holes,
        });
    }
    Ok(out)
}

/// One relocation as a hole.
#[allow(clippy::too_many_arguments)]
fn hole(
    file: &object::File,
    stencil: &str,
    offset: u64,
    rel: &object::Relocation,
    in_data: bool,
    data: &mut Vec<u8>,
    placed: &mut BTreeMap<usize, u64>,
    pending: &mut Vec<SectionIndex>,
) -> Result<HoleOut, String> {
    let err = |m: String| format!("stencil `{stencil}` (offset {offset:#x}): {m}");
    let RelocationFlags::Elf { r_type } = rel.flags() else {
        return Err(err("not an ELF relocation".into()));
    };
    let kind = match r_type {
        object::elf::R_X86_64_64 => Kind::Abs64,
        object::elf::R_X86_64_32 => Kind::Abs32,
        object::elf::R_X86_64_32S => Kind::Abs32S,
        object::elf::R_X86_64_8 => Kind::Abs8,
        object::elf::R_X86_64_PC32 | object::elf::R_X86_64_PLT32 => Kind::Rel32,
        t => {
            return Err(err(format!(
                "unsupported relocation type {t} (only R_X86_64_64, _32, _32S, _8, _PC32, _PLT32 \
                 can be patched)"
            )))
        }
    };
    if rel.has_implicit_addend() {
        return Err(err("relocation without an explicit addend".into()));
    }
    let mut addend = rel.addend();
    let section_ref = match rel.target() {
        RelocationTarget::Symbol(idx) => {
            let sym = file.symbol_by_index(idx).map_err(|e| err(e.to_string()))?;
            let sname = sym.name().map_err(|e| err(e.to_string()))?;
            match sym.section() {
                SymbolSection::Undefined => {
                    let s = match sname {
                        "_CONTINUE" => Sym::Continue,
                        "_TARGET" => Sym::Target,
                        "_A" => Sym::A,
                        "_B" => Sym::B,
                        "_C" => Sym::C,
                        "_K" => Sym::K,
                        "_PC" => Sym::Pc,
                        "_R0" => Sym::R0,
                        "_R1" => Sym::R1,
                        "_R2" => Sym::R2,
                        "_R3" => Sym::R3,
                        "_R4" => Sym::R4,
                        "_R5" => Sym::R5,
                        "_F0" => Sym::F0,
                        "_F1" => Sym::F1,
                        "_F2" => Sym::F2,
                        "_F3" => Sym::F3,
                        "_F4" => Sym::F4,
                        "_F5" => Sym::F5,
                        "_F6" => Sym::F6,
                        "_F7" => Sym::F7,
                        "_EXIT" => Sym::Exit,
                        "_OA" => Sym::OA,
                        "_OB" => Sym::OB,
                        "_OC" => Sym::OC,
                        "_H" => Sym::HelperOp,
                        "_CALLEE" => Sym::Callee,
                        "_FRAME" => Sym::Frame,
                        "_COLD" => Sym::Cold,
                        "_MOD_MAGIC" => Sym::ModMagic,
                        "_MOD_SHIFT" => Sym::ModShift,
                        "_MOD_LIMIT" => Sym::ModLimit,
                        "_MOD_DIVISOR" => Sym::ModDivisor,
                        "_POW2_MASK" => Sym::Pow2Mask,
                        "_K2" => Sym::K2,
                        s if s.starts_with("_H_") && s.len() > 3 => Sym::Helper(s[3..].into()),
                        s => {
                            return Err(err(format!(
                                "undefined symbol `{s}` is not a hole (a libcall clang \
                                 invented, e.g. memset? call helpers through HELPER())"
                            )))
                        }
                    };
                    return Ok(HoleOut {
                        in_data,
                        offset,
                        kind,
                        sym: s,
                        addend,
                        pool_entry: None,
                    });
                }
                SymbolSection::Section(sidx) => {
                    addend += sym.address() as i64;
                    sidx
                }
                other => return Err(err(format!("symbol `{sname}` in {other:?}"))),
            }
        }
        RelocationTarget::Section(sidx) => sidx,
        other => return Err(err(format!("relocation target {other:?}"))),
    };
    // A reference to a section of this object: only read-only data can be copied along.
    let dsec = file
        .section_by_index(section_ref)
        .map_err(|e| err(e.to_string()))?;
    let dname = dsec.name().unwrap_or("?").to_string();
    if !matches!(
        dsec.kind(),
        SectionKind::ReadOnlyData | SectionKind::ReadOnlyString | SectionKind::ReadOnlyDataWithRel
    ) {
        return Err(err(format!(
            "refers to section {dname} ({:?}): stencils may only refer to holes and their own \
             read-only data",
            dsec.kind()
        )));
    }
    if matches!(kind, Kind::Abs32 | Kind::Abs32S | Kind::Abs8) {
        return Err(err(format!(
            "32-bit absolute reference to {dname}: JIT memory is not in the low 2 GiB"
        )));
    }
    // A constant pool (`.rodata.cst<N>`: entries of N bytes, one per constant, shared by
    // every function of the file) from code: only the referenced entry is copied, by the
    // caller (`pool_entry`), which knows the instruction. Copying the whole pool made each
    // of the 162 `neg_f64`/`abs_f64` stencils carry the 2.6 KB of all their masks.
    if !in_data && kind == Kind::Rel32 {
        if let Some(n) = dname
            .strip_prefix(".rodata.cst")
            .and_then(|n| n.parse::<u64>().ok())
        {
            let bytes = dsec.data().map_err(|e| err(e.to_string()))?;
            return Ok(HoleOut {
                in_data,
                offset,
                kind,
                sym: Sym::OwnData,
                addend,
                pool_entry: Some((bytes.to_vec(), n)),
            });
        }
    }
    let base = match placed.get(&section_ref.0) {
        Some(b) => *b,
        None => {
            let align = dsec.align().max(1);
            if align > 16 {
                return Err(err(format!("{dname} needs alignment {align} > 16")));
            }
            while !(data.len() as u64).is_multiple_of(align) {
                data.push(0);
            }
            let b = data.len() as u64;
            data.extend_from_slice(dsec.data().map_err(|e| err(e.to_string()))?);
            placed.insert(section_ref.0, b);
            pending.push(section_ref);
            b
        }
    };
    Ok(HoleOut {
        in_data,
        offset,
        kind,
        sym: Sym::OwnData,
        addend: addend + base as i64,
        pool_entry: None,
    })
}

/// Copy the one constant-pool entry a rel32 hole at code offset `off` refers to into the
/// stencil's data (once per distinct constant) and point the hole at it. The entry is where
/// the instruction's RIP-relative operand lands: addend + (end of instruction - hole).
fn pool_entry(
    code: &[u8],
    off: u64,
    (pool, n): (Vec<u8>, u64),
    h: &mut HoleOut,
    data: &mut Vec<u8>,
    placed: &mut BTreeMap<Vec<u8>, u64>,
) -> Result<(), String> {
    use iced_x86::{Decoder, DecoderOptions};
    let mut decoder = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
    let insn = std::iter::from_fn(|| decoder.can_decode().then(|| decoder.decode()))
        .find(|i| i.ip() <= off && off < i.next_ip())
        .ok_or_else(|| format!("constant-pool reference at {off:#x} is in no instruction"))?;
    let target = h.addend + (insn.next_ip() - off) as i64;
    let at = u64::try_from(target)
        .ok()
        .filter(|t| t % n == 0 && t + n <= pool.len() as u64)
        .ok_or_else(|| {
            format!("constant-pool reference at {off:#x} to {target} is not an entry")
        })?;
    let entry = pool[at as usize..(at + n) as usize].to_vec();
    let base = match placed.get(&entry) {
        Some(b) => *b,
        None => {
            while !(data.len() as u64).is_multiple_of(n.min(16)) {
                data.push(0);
            }
            let b = data.len() as u64;
            data.extend_from_slice(&entry);
            placed.insert(entry, b);
            b
        }
    };
    h.addend += base as i64 - at as i64;
    Ok(())
}

/// The ABI facts of abi_probe.c: `mochi_abi` (u64 values) and `mochi_abi_names`.
fn read_abi(file: &object::File) -> Result<Option<Vec<(String, u64)>>, String> {
    let bytes_of = |name: &str| -> Result<Option<Vec<u8>>, String> {
        let Some(sym) = file
            .symbols()
            .find(|s| s.name() == Ok(name) && s.is_definition())
        else {
            return Ok(None);
        };
        let idx = sym
            .section_index()
            .ok_or(format!("{name} has no section"))?;
        let sec = file.section_by_index(idx).map_err(|e| e.to_string())?;
        if sec.relocations().next().is_some() {
            return Err(format!("{name}: section has relocations"));
        }
        let d = sec.data().map_err(|e| e.to_string())?;
        let (a, n) = (sym.address() as usize, sym.size() as usize);
        Ok(Some(
            d.get(a..a + n)
                .ok_or(format!("{name} out of its section"))?
                .to_vec(),
        ))
    };
    let (Some(values), Some(names)) = (bytes_of("mochi_abi")?, bytes_of("mochi_abi_names")?) else {
        return Ok(None);
    };
    let values: Vec<u64> = values
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let names: Vec<String> = names
        .split(|b| *b == 0)
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    // "a\0" "b\0" ... plus the literal's own NUL: n names, then two empty pieces.
    if names.len() != values.len() + 2 || names[values.len()..].iter().any(|n| !n.is_empty()) {
        return Err(format!(
            "abi_probe.c: {} values but names {names:?}",
            values.len()
        ));
    }
    Ok(Some(names.into_iter().zip(values).collect()))
}

fn escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// `b` as lines of 16 comma-terminated bytes (a piece of a blob's array literal).
fn bytes(out: &mut String, b: &[u8]) {
    for chunk in b.chunks(16) {
        out.push_str("    ");
        let line: Vec<String> = chunk.iter().map(|x| format!("0x{x:02x}")).collect();
        out.push_str(&line.join(", "));
        out.push_str(",\n");
    }
}

/// The generated table, byte-deterministic (stencils sorted by name, holes by offset).
fn render(
    version: &str,
    digest: &str,
    abi: &[(String, u64)],
    stencils: &BTreeMap<String, StencilOut>,
) -> String {
    let flags = FLAGS.join(" ");
    let mut o = String::new();
    let _ = writeln!(
        o,
        "// @generated by stencils/build.rs from stencils/src/*.c. Do not edit.\n\
         // Regenerate (needs clang {CLANG_MAJOR}): MOCHI_REGEN_STENCILS=1 cargo build -p stencils\n\
         // clang: {version}\n\
         // flags: {flags}\n\
         // digest: sha256(clang major {CLANG_MAJOR}, flags, stencils/src/*.c *.h): {digest}\n\
         // {} stencils.\n",
        stencils.len()
    );
    let _ = writeln!(
        o,
        "pub const CLANG_VERSION: &str = \"{}\";",
        escape(version)
    );
    let _ = writeln!(o, "pub const FLAGS: &str = \"{}\";", escape(&flags));
    let _ = writeln!(o, "pub const DIGEST: &str = \"{digest}\";");
    o.push('\n');
    o.push_str(
        "/// Sizes, offsets and constants of mochi.h as clang measured them (abi_probe.c).\n",
    );
    o.push_str("pub const ABI: &[(&str, u64)] = &[\n");
    for (n, v) in abi {
        let _ = writeln!(o, "    (\"{}\", {v:#x}),", escape(n));
    }
    o.push_str("];\n\n");
    // Every stencil is ranges of three blobs (names, bytes, holes): the table holds no pointer,
    // so the dynamic loader relocates nothing in it (4 pointers per stencil had made
    // 15 000 relocations and 232 KiB of pages written at every process start).
    // (names in the order they were first used, and where each starts)
    let mut names: Vec<String> = Vec::new();
    let mut name_at = BTreeMap::<String, usize>::new();
    let mut names_len = 0usize;
    let mut name = |n: &str| {
        let at = *name_at.entry(n.to_string()).or_insert_with(|| {
            names.push(n.to_string());
            names_len += n.len();
            names_len - n.len()
        });
        format!("Name::new({at}, {})", n.len())
    };
    let (mut bytes_out, mut nbytes) = (String::new(), 0usize);
    let (mut holes_out, mut nholes) = (String::new(), 0usize);
    let mut table = String::new();
    for s in stencils.values() {
        let _ = writeln!(
            table,
            "    // {} ({}): {} code bytes, {} data bytes, {} holes",
            s.name,
            s.file,
            s.code.len(),
            s.data.len(),
            s.holes.len()
        );
        let mut blob = |what: &str, b: &[u8], out: &mut String| {
            if !b.is_empty() {
                let _ = writeln!(out, "    // {} {what}", s.name);
                bytes(out, b);
            }
            let r = format!("Bytes::new({nbytes}, {})", b.len());
            nbytes += b.len();
            r
        };
        let code = blob("code", &s.code, &mut bytes_out);
        let data = blob("data", &s.data, &mut bytes_out);
        let _ = writeln!(
            table,
            "    Stencil {{ name: {}, code: {code}, data: {data}, holes: Holes::new({nholes}, {}) }},",
            name(&s.name),
            s.holes.len()
        );
        if !s.holes.is_empty() {
            let _ = writeln!(holes_out, "    // {}", s.name);
        }
        for h in &s.holes {
            let sym = match &h.sym {
                Sym::Helper(n) => format!("HoleSymbol::Helper({})", name(n)),
                other => format!("HoleSymbol::{other:?}"),
            };
            let _ = writeln!(
                holes_out,
                "    Hole {{ offset: {:#x}, kind: HoleKind::{:?}, symbol: {sym}, addend: {}, in_data: {} }},",
                h.offset, h.kind, h.addend, h.in_data
            );
        }
        nholes += s.holes.len();
    }
    o.push_str("pub static STENCILS: &[Stencil] = &[\n");
    o.push_str(&table);
    o.push_str("];\n\n");
    // (one name per line: a `\` at the end of a line continues the string without the line
    // break and the next line's indentation)
    o.push_str("static NAMES: &str = \"\\\n");
    for n in &names {
        let _ = writeln!(o, "    {}\\", escape(n));
    }
    o.push_str("\";\n\n");
    let _ = writeln!(o, "static BYTES: &[u8; {nbytes}] = &[");
    o.push_str(&bytes_out);
    o.push_str("];\n\n");
    let _ = writeln!(o, "static HOLES: &[Hole; {nholes}] = &[");
    o.push_str(&holes_out);
    o.push_str("];\n");
    o
}
