# Sourced by bin/cornserve and .ci/run: sets CORNSERVE_JDK to a JDK of version 21 or newer, or stops
# with one line saying what to install. Looks at JAVA_HOME, `java` on the PATH, then the usual folders.
# The version from the JDK's `release` file (every JDK since 9 has one: no JVM started, which saved about 0.4 s
# per command); asking the JVM itself only where that file is missing.
_cs_major() {
  local v=""
  [[ -f "$1/release" ]] && v="$(sed -n 's/^JAVA_VERSION="\([0-9.]*\).*/\1/p' "$1/release" | head -1)"
  [[ -n "$v" ]] || v="$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1)"
  echo "$v"
}
_cs_ok() { [[ -x "$1/bin/java" && -x "$1/bin/javac" ]] || return 1; local v; v="$(_cs_major "$1")"; [[ "${v%%.*}" =~ ^[0-9]+$ ]] && (( ${v%%.*} >= 21 )); }
CORNSERVE_JDK=""
for _cs_c in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" \
             /usr/lib/jvm/* "$HOME"/.jdks/* "$HOME"/.sdkman/candidates/java/* /opt/java/* /usr/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
  [[ -n "$_cs_c" && -d "$_cs_c" ]] || continue
  if _cs_ok "$_cs_c"; then CORNSERVE_JDK="$_cs_c"; break; fi
done
if [[ -z "$CORNSERVE_JDK" ]]; then
  echo "cornserve: no JDK 21 or newer found (looked at JAVA_HOME, PATH, /usr/lib/jvm, ~/.jdks, ~/.sdkman); install one, e.g. 'apt-get install openjdk-21-jdk' or Temurin 21+, or set JAVA_HOME to it." >&2
  exit 1
fi
export CORNSERVE_JDK
