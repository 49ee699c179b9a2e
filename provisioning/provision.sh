#!/usr/bin/env bash
# Turn a fresh Raspberry Pi OS (Bookworm) into an enrolled Antre kiosk or lobby display.
#
#   sudo provisioning/provision.sh kiosk|display --server HOST --office OFFICE \
#        --device ID --password-file FILE [options]
#
# Idempotent: running it again with the same options changes nothing. --dry-run says what
# it would do and changes nothing; --root DIR writes every file under DIR and records the
# commands (apt-get, useradd, systemctl, pip ...) instead of running them.
# provisioning/README.md explains every step; `--help` lists the options.
set -euo pipefail

readonly APP_DIR=/opt/antre
readonly CONFIG_DIR=/etc/antre
readonly STATE_DIR=/var/lib/antre
readonly RECORD=/var/lib/antre-provision/commands.log
readonly ID_PATTERN='^[a-z0-9-]{1,64}$'
SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

ROLE="" SERVER="" PORT=1883 TLS=false CA_FILE="" OFFICE="" DEVICE="" PASSWORD_FILE=""
TIMEZONE=Asia/Jakarta STATUS_URL="" PIN_FILE="" COUNTER="" NTP_SERVER="" WHEELS=""
PRINTER="virtual:$STATE_DIR/printer" SCANNER=virtual CARD_READER=none
SERVICE_USER=antre ROOT="" DRY_RUN=false KEEP_CONFIG=false START=true

usage() {
    cat <<'EOF'
Usage: sudo provisioning/provision.sh kiosk|display --server HOST --office OFFICE
         --device ID --password-file FILE [options]

  --server HOST          the office server's broker (and, by default, its status links)
  --port N               the broker's port (1883)
  --tls [--ca-file F]    connect with TLS (F: the CA that signed the broker's certificate)
  --office OFFICE        the office id, e.g. kanim-denpasar
  --device ID            the device id given to `antre device add`
  --password-file F      a file holding the password `antre device add` printed
  --timezone TZ          the office's time zone (Asia/Jakarta)
  --status-url URL       the tickets' QR link base (kiosk; default http://HOST:8080)
  --pin-file F           the officers' maintenance PIN, 4..12 digits (kiosk)
  --printer SPEC         kiosk printer: usb:VID:PID, network:HOST[:PORT], serial:PATH[:BAUD],
                         cups:[QUEUE] or virtual:FOLDER (virtual:/var/lib/antre/printer)
  --scanner SPEC         kiosk scanner: hid:DEVICE, serial:PORT[@BAUD], camera:N, virtual
  --card-reader SPEC     kiosk card reader: pcsc[:NAME], virtual, none (none)
  --counter CODE         display: a counter display for this counter (default: lobby board)
  --ntp HOST             take the time from HOST (e.g. the office server) instead of the pool
  --wheels DIR           install from the wheels in DIR, without the internet
  --user NAME            the unprivileged user the app runs as (antre)
  --keep-config          leave an existing /etc/antre/ROLE.yaml as it is
  --no-start             do not (re)start the service at the end
  --dry-run              say what would be done, change nothing
  --root DIR             write under DIR and record the commands instead of running them
EOF
}

# Every message to the technician is in Indonesian, then English.
die() {
    printf 'provision.sh: %s\n' "$1" >&2
    exit 2
}

say() {
    printf '%s\n' "$*"
}

need_value() {
    [[ $# -ge 2 && -n $2 ]] || die "opsi $1 memerlukan nilai / option $1 needs a value"
}

parse_arguments() {
    [[ $# -ge 1 ]] || { usage >&2; exit 2; }
    case $1 in
        kiosk | display) ROLE=$1 ;;
        -h | --help) usage; exit 0 ;;
        *) die "peran tidak dikenal '$1': gunakan kiosk atau display / unknown role '$1': use kiosk or display" ;;
    esac
    shift
    while [[ $# -gt 0 ]]; do
        case $1 in
            --tls) TLS=true; shift; continue ;;
            --dry-run) DRY_RUN=true; shift; continue ;;
            --keep-config) KEEP_CONFIG=true; shift; continue ;;
            --no-start) START=false; shift; continue ;;
            -h | --help) usage; exit 0 ;;
        esac
        need_value "$@"
        case $1 in
            --server) SERVER=$2 ;;
            --port) PORT=$2 ;;
            --ca-file) CA_FILE=$2 ;;
            --office) OFFICE=$2 ;;
            --device) DEVICE=$2 ;;
            --password-file) PASSWORD_FILE=$2 ;;
            --timezone) TIMEZONE=$2 ;;
            --status-url) STATUS_URL=$2 ;;
            --pin-file) PIN_FILE=$2 ;;
            --printer) PRINTER=$2 ;;
            --scanner) SCANNER=$2 ;;
            --card-reader) CARD_READER=$2 ;;
            --counter) COUNTER=$2 ;;
            --ntp) NTP_SERVER=$2 ;;
            --wheels) WHEELS=$2 ;;
            --user) SERVICE_USER=$2 ;;
            --root) ROOT=${2%/} ;;
            *) die "opsi tidak dikenal '$1' (lihat --help) / unknown option '$1' (see --help)" ;;
        esac
        shift 2
    done
}

check_arguments() {
    [[ -n $SERVER ]] || die "--server wajib / --server is required"
    [[ -n $OFFICE ]] || die "--office wajib / --office is required"
    [[ -n $DEVICE ]] || die "--device wajib / --device is required"
    [[ -n $PASSWORD_FILE ]] || die "--password-file wajib / --password-file is required"
    [[ $SERVER =~ ^[A-Za-z0-9.:-]{1,253}$ ]] \
        || die "--server bukan nama host atau alamat IP / --server is not a host name or IP address"
    if ! [[ $PORT =~ ^[0-9]{1,5}$ ]] || ((PORT < 1 || PORT > 65535)); then
        die "--port harus 1..65535 / --port must be 1..65535"
    fi
    [[ $OFFICE =~ $ID_PATTERN ]] || die "--office: gunakan a-z, 0-9 dan '-' / --office: use a-z, 0-9 and '-'"
    [[ $DEVICE =~ $ID_PATTERN ]] || die "--device: gunakan a-z, 0-9 dan '-' / --device: use a-z, 0-9 and '-'"
    [[ -z $COUNTER || $COUNTER =~ $ID_PATTERN ]] \
        || die "--counter: gunakan a-z, 0-9 dan '-' / --counter: use a-z, 0-9 and '-'"
    [[ $SERVICE_USER =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || die "--user bukan nama pengguna / --user is not a user name"
    [[ $TIMEZONE =~ ^[A-Za-z0-9_+/-]{1,64}$ && -f /usr/share/zoneinfo/$TIMEZONE ]] \
        || die "--timezone bukan nama zona waktu, mis. Asia/Jakarta / --timezone is not a time zone name, e.g. Asia/Jakarta"
    [[ -z $STATUS_URL || $STATUS_URL =~ ^https?://[A-Za-z0-9.:/_-]{1,200}$ ]] \
        || die "--status-url bukan alamat web http(s) / --status-url is not an http(s) web address"
    [[ -z $NTP_SERVER || $NTP_SERVER =~ ^[A-Za-z0-9.:-]{1,253}$ ]] \
        || die "--ntp bukan nama host / --ntp is not a host name"
    local spec
    for spec in "$PRINTER" "$SCANNER" "$CARD_READER"; do
        [[ $spec =~ ^[A-Za-z0-9@:/._\ -]{1,200}$ ]] \
            || die "spesifikasi perangkat tidak sah '$spec' / not a valid device spec '$spec'"
    done
    check_secret_file "$PASSWORD_FILE" --password-file '^[^[:space:]]{1,200}$'
    [[ -z $PIN_FILE ]] || check_secret_file "$PIN_FILE" --pin-file '^[0-9]{4,12}$'
    [[ -z $CA_FILE || -r $CA_FILE ]] || die "--ca-file tidak dapat dibaca / --ca-file cannot be read"
    [[ -z $WHEELS || -d $WHEELS ]] || die "--wheels bukan folder / --wheels is not a folder"
    if [[ -n $ROOT ]]; then
        [[ $ROOT == /* && -d $ROOT ]] || die "--root harus folder yang ada (path absolut) / --root must be an existing folder (absolute path)"
    elif ! $DRY_RUN && [[ $EUID -ne 0 ]]; then
        die "jalankan dengan sudo (atau --dry-run / --root DIR) / run it with sudo (or --dry-run / --root DIR)"
    fi
}

# check_secret_file FILE OPTION PATTERN: one line matching PATTERN (never printed).
check_secret_file() {
    local lines
    [[ -r $1 ]] || die "$2: berkas tidak dapat dibaca / $2: the file cannot be read"
    lines=$(grep -c . "$1" || true)
    if [[ $lines -ne 1 ]] || ! grep -Eq "$3" <(grep . "$1"); then
        die "$2: berkas harus berisi satu baris yang sah / $2: the file must hold one valid line"
    fi
}

# run CMD...: run it; in a dry run say it; under --root record it.
run() {
    local shown
    shown=$(printf '%q ' "$@")
    shown=${shown% }
    if $DRY_RUN; then
        say "would run: $shown"
    elif [[ -n $ROOT ]]; then
        printf '%s\n' "$shown" >>"$ROOT$RECORD"
        say "recorded: $shown"
    else
        say "run: $shown"
        "$@"
    fi
}

# put_file PATH MODE OWNER:GROUP < CONTENT: write PATH (under --root) only when its
# content, mode or owner differ; a replaced file is kept as PATH.bak.
put_file() {
    local path=$1 mode=$2 owner=$3 target="$ROOT$1" staged
    staged=$(mktemp)
    cat >"$staged"
    if [[ -f $target ]] && cmp -s "$staged" "$target" && [[ $(stat -c %a "$target") == "${mode#0}" ]] \
        && { [[ -n $ROOT ]] || [[ $(stat -c %U:%G "$target") == "$owner" ]]; }; then
        say "unchanged: $path"
    elif $DRY_RUN; then
        say "would write: $path ($mode $owner)"
    else
        mkdir -p "$(dirname "$target")"
        if [[ -f $target ]] && ! cmp -s "$staged" "$target"; then
            cp -p "$target" "$target.bak"
            say "kept the previous $path as $path.bak"
        fi
        if [[ -n $ROOT ]]; then
            install -m "$mode" "$staged" "$target"
        else
            install -m "$mode" -o "${owner%:*}" -g "${owner#*:}" "$staged" "$target"
        fi
        say "wrote: $path ($mode $owner)"
    fi
    rm -f "$staged"
    record_owner "$path" "$owner"
}

# Under --root the owners cannot be set: record what a real run makes sure of.
record_owner() {
    if [[ -n $ROOT ]] && ! $DRY_RUN; then
        printf 'chown %s %s\n' "$2" "$1" >>"$ROOT$RECORD"
    fi
}

# put_dir PATH MODE OWNER:GROUP
put_dir() {
    local path=$1 mode=$2 owner=$3 target="$ROOT$1"
    if [[ -d $target && $(stat -c %a "$target") == "${mode#0}" ]] \
        && { [[ -n $ROOT ]] || [[ $(stat -c %U:%G "$target") == "$owner" ]]; }; then
        :
    elif $DRY_RUN; then
        say "would make folder: $path ($mode $owner)"
    elif [[ -n $ROOT ]]; then
        install -d -m "$mode" "$target"
    else
        install -d -m "$mode" -o "${owner%:*}" -g "${owner#*:}" "$target"
    fi
    record_owner "$path" "$owner"
}

check_system() {
    local release="$ROOT/etc/os-release" codename=""
    if [[ -r $release ]]; then
        codename=$(sed -n 's/^VERSION_CODENAME=//p' "$release" | tr -d '"')
    fi
    if [[ $codename != bookworm ]]; then
        say "catatan: sistem ini bukan Bookworm (${codename:-tidak diketahui}) / note: this system is not Bookworm (${codename:-unknown})"
    fi
    if ! $DRY_RUN && [[ -n $ROOT ]]; then
        mkdir -p "$(dirname "$ROOT$RECORD")"
        : >"$ROOT$RECORD"
    fi
}

install_packages() {
    local packages=(
        python3-venv python3-pip python3-dev build-essential
        xserver-xorg-core xserver-xorg-input-libinput xinit x11-xserver-utils
        libgl1 libegl1 libgl1-mesa-dri libegl-mesa0 libmtdev1 xclip
        systemd-timesyncd
    )
    if [[ $ROLE == kiosk ]]; then
        packages+=(pcscd libpcsclite1 libpcsclite-dev swig libzbar0 libusb-1.0-0)
    else
        packages+=(espeak-ng alsa-utils)
    fi
    run apt-get update
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"
}

create_user() {
    local groups=(video render input audio dialout lp plugdev) existing=() group
    if [[ -z $ROOT ]] && id -u "$SERVICE_USER" >/dev/null 2>&1; then
        say "unchanged: user $SERVICE_USER"
    else
        run useradd --system --user-group --home-dir "$STATE_DIR" --shell /usr/sbin/nologin \
            --comment "Antre $ROLE" "$SERVICE_USER"
    fi
    for group in "${groups[@]}"; do
        if [[ -n $ROOT ]] || getent group "$group" >/dev/null; then
            existing+=("$group")
        fi
    done
    run usermod --append --groups "$(IFS=,; echo "${existing[*]}")" "$SERVICE_USER"
}

install_app() {
    local extra=$ROLE pip_options=(--upgrade)
    if [[ -n $WHEELS ]]; then
        pip_options+=(--no-index --find-links "$WHEELS")
    fi
    put_dir "$APP_DIR" 0755 root:root
    put_dir "$APP_DIR/bin" 0755 root:root
    if [[ -n $ROOT || ! -x $APP_DIR/venv/bin/python ]]; then
        run python3 -m venv "$APP_DIR/venv"
    fi
    run "$APP_DIR/venv/bin/pip" install --quiet "${pip_options[@]}" "${SOURCE_DIR}[${extra}]"
}

write_secrets() {
    put_dir "$CONFIG_DIR" 0750 "root:$SERVICE_USER"
    put_dir "$STATE_DIR" 0750 "$SERVICE_USER:$SERVICE_USER"
    grep . "$PASSWORD_FILE" | put_file "$CONFIG_DIR/$ROLE.password" 0600 "$SERVICE_USER:$SERVICE_USER"
    if [[ -n $PIN_FILE ]]; then
        grep . "$PIN_FILE" | put_file "$CONFIG_DIR/kiosk.pin" 0600 "$SERVICE_USER:$SERVICE_USER"
    fi
    if [[ -n $CA_FILE ]]; then
        put_file "$CONFIG_DIR/ca.pem" 0644 root:root <"$CA_FILE"
    fi
}

broker_section() {
    printf 'broker:\n  host: "%s"\n  port: %s\n  tls: %s\n' "$SERVER" "$PORT" "$TLS"
    if [[ -n $CA_FILE ]]; then
        printf '  ca_file: %s/ca.pem\n' "$CONFIG_DIR"
    fi
}

kiosk_config() {
    cat <<EOF
# Written by provisioning/provision.sh: run it again with new options to change this file
# (the previous one is kept as kiosk.yaml.bak), or edit it and re-run with --keep-config.
# Every field: provisioning/kiosk.example.yaml and docs/operations.md.
office: "$OFFICE"
timezone: "$TIMEZONE"
device:
  id: "$DEVICE"
  password_file: $CONFIG_DIR/kiosk.password
$(broker_section)
status_url: "${STATUS_URL:-http://$SERVER:8080}"
database: $STATE_DIR/kiosk.db
screen:
  fullscreen: true
EOF
    if [[ -n $PIN_FILE ]]; then
        printf 'maintenance:\n  pin_file: %s/kiosk.pin\n' "$CONFIG_DIR"
    fi
    printf 'devices:\n  printer: "%s"\n  scanner: "%s"\n  card_reader: "%s"\n' \
        "$PRINTER" "$SCANNER" "$CARD_READER"
}

display_config() {
    cat <<EOF
# Written by provisioning/provision.sh: run it again with new options to change this file
# (the previous one is kept as display.yaml.bak), or edit it and re-run with --keep-config.
# Every field: provisioning/display.example.yaml and docs/operations.md.
office: "$OFFICE"
EOF
    if [[ -n $COUNTER ]]; then
        printf 'mode: counter\ncounter: "%s"\n' "$COUNTER"
    else
        printf 'mode: board\n'
    fi
    cat <<EOF
device:
  id: "$DEVICE"
  password_file: $CONFIG_DIR/display.password
$(broker_section)
screen:
  fullscreen: true
EOF
}

write_config() {
    local path="$CONFIG_DIR/$ROLE.yaml"
    if $KEEP_CONFIG && [[ -f $ROOT$path ]]; then
        say "kept: $path (--keep-config)"
    elif [[ $ROLE == kiosk ]]; then
        kiosk_config | put_file "$path" 0640 "root:$SERVICE_USER"
    else
        display_config | put_file "$path" 0640 "root:$SERVICE_USER"
    fi
}

session_script() {
    local command="$APP_DIR/venv/bin/antre $ROLE --config $CONFIG_DIR/$ROLE.yaml"
    if [[ $ROLE == kiosk ]]; then
        command+=" --fullscreen"
    fi
    cat <<EOF
#!/bin/sh
# The X session of this $ROLE, started by xinit from antre-$ROLE.service on tty7.
# Written by provisioning/provision.sh.
set -eu
xset s off s noblank -dpms || true
export KIVY_HOME=$STATE_DIR/kivy
exec $command
EOF
}

unit_file() {
    cat <<EOF
# Written by provisioning/provision.sh: the $ROLE's X session on tty7, restarted when it
# exits and when its window stops feeding the watchdog.
[Unit]
Description=Antre $ROLE (full screen on tty7)
Wants=network-online.target systemd-time-wait-sync.service
After=network-online.target time-sync.target systemd-time-wait-sync.service
After=systemd-user-sessions.service getty@tty7.service
Conflicts=getty@tty7.service
StartLimitIntervalSec=0

[Service]
Type=notify
# The app is xinit's grandchild: it sends READY=1 and WATCHDOG=1 itself.
NotifyAccess=all
WatchdogSec=30
TimeoutStartSec=120
TimeoutStopSec=20
Restart=always
RestartSec=3
User=$SERVICE_USER
Group=$SERVICE_USER
WorkingDirectory=$STATE_DIR
PAMName=login
TTYPath=/dev/tty7
TTYReset=yes
TTYVHangup=yes
StandardInput=tty
StandardOutput=journal
StandardError=journal
UtmpIdentifier=tty7
UtmpMode=user
ExecStart=/usr/bin/xinit $APP_DIR/bin/antre-session -- :0 vt7 -keeptty -nolisten tcp -nocursor

[Install]
WantedBy=graphical.target
EOF
}

xorg_flags() {
    cat <<'EOF'
# Written by provisioning/provision.sh: no switching to a text console, no Ctrl+Alt+Backspace,
# the screen never blanks.
Section "ServerFlags"
    Option "DontVTSwitch" "true"
    Option "DontZap" "true"
    Option "BlankTime" "0"
    Option "StandbyTime" "0"
    Option "SuspendTime" "0"
    Option "OffTime" "0"
EndSection
EOF
}

write_session() {
    session_script | put_file "$APP_DIR/bin/antre-session" 0755 root:root
    unit_file | put_file "/etc/systemd/system/antre-$ROLE.service" 0644 root:root
    xorg_flags | put_file /etc/X11/xorg.conf.d/90-antre.conf 0644 root:root
    printf 'allowed_users=anybody\nneeds_root_rights=no\n' \
        | put_file /etc/X11/Xwrapper.config 0644 root:root
    printf '%s\n' '# Written by provisioning/provision.sh: a kiosk with no reachable time server' \
        '# still starts, 90 s after boot (the Pi has no clock battery).' \
        '[Service]' 'TimeoutStartSec=90' \
        | put_file /etc/systemd/system/systemd-time-wait-sync.service.d/antre.conf 0644 root:root
    if [[ -n $NTP_SERVER ]]; then
        printf '[Time]\nNTP=%s\n' "$NTP_SERVER" \
            | put_file /etc/systemd/timesyncd.conf.d/antre.conf 0644 root:root
    fi
    if [[ $ROLE == kiosk ]]; then
        printf '%s\n' '# Written by provisioning/provision.sh: USB printers (class 07) for the lp group.' \
            'SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ENV{ID_USB_INTERFACES}=="*:0701*", GROUP="lp", MODE="0660"' \
            | put_file /etc/udev/rules.d/60-antre-printer.rules 0644 root:root
    fi
}

# The kernel's console blanking: consoleblank=0 on the one line of cmdline.txt.
console_blanking_off() {
    local cmdline="$ROOT/boot/firmware/cmdline.txt"
    if [[ ! -f $cmdline ]]; then
        say "catatan: tidak ada /boot/firmware/cmdline.txt / note: no /boot/firmware/cmdline.txt"
    elif grep -qw 'consoleblank=0' "$cmdline"; then
        say "unchanged: /boot/firmware/cmdline.txt"
    elif $DRY_RUN; then
        say "would add consoleblank=0 to /boot/firmware/cmdline.txt"
    else
        sed -i '1 s/[[:space:]]*$/ consoleblank=0/' "$cmdline"
        say "added consoleblank=0 to /boot/firmware/cmdline.txt"
    fi
}

enable_services() {
    local unit="antre-$ROLE.service"
    run systemctl daemon-reload
    run systemctl enable systemd-timesyncd.service systemd-time-wait-sync.service
    if [[ $ROLE == kiosk ]]; then
        run systemctl enable pcscd.socket
    fi
    if [[ -n $ROOT || -e /etc/systemd/system/display-manager.service ]]; then
        run systemctl disable display-manager.service
    fi
    run systemctl set-default graphical.target
    run systemctl enable "$unit"
    check_config
    if $START; then
        run systemctl restart "$unit"
    fi
}

# `antre ROLE check` as the service user: a bad file stops here (exit code 2); a display
# that cannot speak its calls (exit code 1) is only a warning.
check_config() {
    local status=0
    run runuser -u "$SERVICE_USER" -- "$APP_DIR/venv/bin/antre" "$ROLE" check \
        --config "$CONFIG_DIR/$ROLE.yaml" || status=$?
    if [[ $status -eq 1 && $ROLE == display ]]; then
        say "peringatan: layar ini belum bisa mengucapkan panggilan / warning: this display cannot speak its calls yet"
    elif [[ $status -ne 0 ]]; then
        die "konfigurasi tidak valid (lihat di atas) / the configuration is not valid (see above)"
    fi
}

main() {
    parse_arguments "$@"
    check_arguments
    check_system
    install_packages
    create_user
    install_app
    write_secrets
    write_config
    write_session
    console_blanking_off
    enable_services
    say "selesai / done: antre-$ROLE.service ($DEVICE, $OFFICE)"
}

main "$@"
