# Sourced by build_outer_qemu.sh and build_l1.sh: their results, kept
# outside the clone in ${XDG_CACHE_HOME:-$HOME/.cache}/hvfeat/NAME-KEY/,
# where KEY is a hash of the entry's key.txt, every input of the build, one
# per line. An entry is written to a temporary directory, checked, and
# renamed into place, so an interrupted copy never takes an entry's name;
# an entry is checked again before it is used.
cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/hvfeat

# cache_key NAME < key text: sets key_text, key and entry.
cache_key() {
    key_text=$(cat)
    key=$(printf '%s\n' "$key_text" | sha256sum | cut -c1-16)
    entry=$cache_root/$1-$key
}

# cache_fetch NAME CHECK OUT FILE...: copies the entry's FILEs into OUT
# when the entry is whole (its key.txt is this key, CHECK DIR passes);
# otherwise says why there is none and fails.
cache_fetch() {
    local name=$1 check=$2 out=$3 file previous
    shift 3
    if [ -d "$entry" ]; then
        if [ "$(cat "$entry/key.txt" 2>/dev/null)" = "$key_text" ] && "$check" "$entry"; then
            echo "$name: cache hit: $entry"
            touch "$entry"  # the newest entry is the one a changed key is told against
            # Called in an if, so set -e is off here: each copy is checked.
            for file; do
                cp "$entry/$file" "$out/$file.tmp" && mv "$out/$file.tmp" "$out/$file" \
                    || { echo "$name: copying $file out of $entry failed"; return 1; }
            done
            return 0
        fi
        echo "$name: cache entry $entry is damaged: removing it, rebuilding"
        rm -rf "$entry"
        return 1
    fi
    previous=$(ls -td "$cache_root/$name"-* 2>/dev/null | head -n 1 || true)
    if [ -f "$previous/key.txt" ]; then
        echo "$name: cache key changed: no entry for $key; against $previous:"
        diff "$previous/key.txt" - <<< "$key_text" | sed -n 's/^\([<>]\)/  \1/p' || true
    else
        echo "$name: no cache for key $key in $cache_root"
    fi
    return 1
}

# cache_store NAME CHECK DIR FILE...: makes DIR's FILEs the entry.
cache_store() {
    local name=$1 check=$2 dir=$3 file
    shift 3
    mkdir -p "$cache_root"
    cache_tmp=$(mktemp -d "$cache_root/.$name-$key.XXXXXX")
    trap 'rm -rf "$cache_tmp"' EXIT  # an interrupted copy leaves nothing
    for file; do
        cp "$dir/$file" "$cache_tmp/"
    done
    printf '%s\n' "$key_text" > "$cache_tmp/key.txt"
    if ! "$check" "$cache_tmp"; then
        echo "$name: the new build fails its check; not cached"
        return 1
    fi
    if mv -T "$cache_tmp" "$entry" 2>/dev/null; then
        echo "$name: cached as $entry"
    elif [ -d "$entry" ]; then  # another build of the same key was first
        echo "$name: $entry was cached meanwhile"
    else
        echo "$name: could not store $entry (the build itself is kept in the tree)"
    fi
    rm -rf "$cache_tmp"
    trap - EXIT
}

# sha256 FILE: its hash, alone.
sha256() {
    sha256sum "$1" | cut -d' ' -f1
}
