# SPDX-License-Identifier: MIT
# Shared by the tests that put keys in a PKCS#11 token: SoftHSM2 (Debian
# softhsm2) with a private configuration and token directory under DIR.
# softhsm_setup DIR: sets and exports SOFTHSM2_CONF and CEBGATE_PKCS11_MODULE,
# and $module; returns 1 when libsofthsm2.so is not installed.
softhsm_setup() {
	module=""
	for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so \
		$(dpkg -L libsofthsm2 2>/dev/null | grep '/libsofthsm2\.so$' || true); do
		if [ -z "$module" ] && [ -f "$m" ]; then
			module=$m
		fi
	done
	[ -n "$module" ] || return 1
	mkdir -p "$1/tokens"
	SOFTHSM2_CONF="$1/softhsm2.conf"
	cat >"$SOFTHSM2_CONF" <<CONF
directories.tokendir = $1/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
	CEBGATE_PKCS11_MODULE=$module
	export SOFTHSM2_CONF CEBGATE_PKCS11_MODULE
}
