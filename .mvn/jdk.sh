# Sourced (POSIX sh) by ./mvnw and ./fanwire: points JAVA_HOME at a JDK >= 21.
#
# Order: FANWIRE_JAVA_HOME, then JAVA_HOME when it is already >= 21, then the newest JDK found in
# the usual install places (/usr/lib/jvm, /opt/java, macOS, SDKMAN), then `java` on the PATH.
# The default `java` of many Linux machines is 17, which cannot build or run Fanwire.

fanwire_jdk_major() {
  # Prints the feature version (21, 25, ...) of the JDK at $1, or nothing when $1 is not a JDK.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1
  else
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
  fi
}

fanwire_select_jdk() {
  # ./mvnw runs with `set -f`; globbing is needed to look through install places.
  case $- in *f*) set +f; fanwire__select_jdk; _fw_rc=$?; set -f; return $_fw_rc ;; esac
  fanwire__select_jdk
}

fanwire__select_jdk() {
  _fw_min=21
  if [ -n "${FANWIRE_JAVA_HOME-}" ]; then
    _fw_v=$(fanwire_jdk_major "$FANWIRE_JAVA_HOME")
    if [ -n "$_fw_v" ] && [ "$_fw_v" -ge "$_fw_min" ]; then
      JAVA_HOME=$FANWIRE_JAVA_HOME; export JAVA_HOME; fanwire__quiet_maven "$_fw_v"; return 0
    fi
    echo "fanwire: FANWIRE_JAVA_HOME=$FANWIRE_JAVA_HOME is not a JDK >= $_fw_min" >&2
    return 1
  fi
  if [ -n "${JAVA_HOME-}" ]; then
    _fw_v=$(fanwire_jdk_major "$JAVA_HOME")
    if [ -n "$_fw_v" ] && [ "$_fw_v" -ge "$_fw_min" ]; then export JAVA_HOME; fanwire__quiet_maven "$_fw_v"; return 0; fi
  fi
  _fw_best=""; _fw_best_v=0
  for _fw_d in /usr/lib/jvm/* /opt/java/* /usr/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home \
      "${HOME-}"/.sdkman/candidates/java/* "${HOME-}"/.jdks/*; do
    [ -d "$_fw_d" ] || continue
    _fw_v=$(fanwire_jdk_major "$_fw_d")
    if [ -n "$_fw_v" ] && [ "$_fw_v" -gt "$_fw_best_v" ]; then _fw_best=$_fw_d; _fw_best_v=$_fw_v; fi
  done
  if [ "$_fw_best_v" -lt "$_fw_min" ] && command -v javac >/dev/null 2>&1; then
    _fw_d=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    _fw_v=$(fanwire_jdk_major "$_fw_d")
    if [ -n "$_fw_v" ] && [ "$_fw_v" -gt "$_fw_best_v" ]; then _fw_best=$_fw_d; _fw_best_v=$_fw_v; fi
  fi
  if [ "$_fw_best_v" -ge "$_fw_min" ]; then
    JAVA_HOME=$_fw_best; export JAVA_HOME; fanwire__quiet_maven "$_fw_best_v"; return 0
  fi
  echo "fanwire: no JDK >= $_fw_min found (looked at FANWIRE_JAVA_HOME, JAVA_HOME, /usr/lib/jvm, /opt/java," >&2
  echo "fanwire: /Library/Java/JavaVirtualMachines, SDKMAN and the PATH). Install one, for example" >&2
  echo "fanwire: Temurin 25 from https://adoptium.net, or set FANWIRE_JAVA_HOME to its directory." >&2
  return 1
}

fanwire__quiet_maven() {
  # Maven 3.9's own libraries use sun.misc.Unsafe; JDK 24+ warns about it on every build.
  if [ "$1" -ge 24 ]; then
    case " ${MAVEN_OPTS-} " in
      *sun-misc-unsafe-memory-access*) ;;
      *) MAVEN_OPTS="${MAVEN_OPTS-} --sun-misc-unsafe-memory-access=allow"; export MAVEN_OPTS ;;
    esac
  fi
}
