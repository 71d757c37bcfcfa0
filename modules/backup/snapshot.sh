#!/usr/bin/env bash
# The snapshot half of one backup run (the tools image: bash, kubectl, aws CLI). It runs beside the dump container
# in the same pod, so the CSI snapshots start within seconds of the dumps. Then it waits for the dumps, copies each
# snapshot's contents to the target through a copy PVC and a copy Job, uploads to S3 when that is the target, and
# keeps the newest $RETENTION complete backups. The copy PVC of a CephFS volume is a shallow snapshot-backed volume
# (ReadOnlyMany, the class's shallow class from CLASS_MAP): ceph-csi mounts the snapshot itself, in constant time and
# with no data copied. A class without a shallow class (RBD) gets a clone of the snapshot in the source's class.
# Runs that never completed go once they are older than RUN_TIMEOUT.
#
# Environment (set by the CronJob): NAMESPACE, BACKUP_ID, RETENTION, CLASS_MAP (file of
# `<storageClass> <snapshotClass> [<shallowClass>]`),
# TARGET_KIND (pvc|s3), TARGET_PVC, WORK (the backup's directory root: /target on a PVC, a scratch dir for S3),
# TOOLS_IMAGE, PULL_SECRET, SNAPSHOT_TIMEOUT (seconds), RUN_TIMEOUT (seconds: the Job's activeDeadlineSeconds, after
# which Kubernetes has ended a run), and for S3: S3_ENDPOINT, S3_URL (s3://bucket/prefix),
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_DEFAULT_REGION from a Secret.
set -euo pipefail

# Name of the copy claim and copy Job of claim $2 in backup $1: a DNS label of at most 63 characters, unique per
# backup and claim: `bk-<claim>-<hash>`, the claim cut to 49 characters (dots made dashes, no trailing dash) and the
# first 10 hex digits of sha256("<backup>/<claim>"), as the disk preflight names its Jobs. Cutting alone left a
# trailing `-` (webapi-agent-default-queue-home-pvc-webapi-agent-default-queue-0) and made replicas -0/-1 collide.
copy_name() {
    local hash stem
    hash=$(printf '%s/%s' "$1" "$2" | sha256sum | cut -c1-10)
    stem=$(printf '%s' "$2" | tr -c 'a-z0-9-' '-' | cut -c1-49)
    while [ "${stem%-}" != "$stem" ]; do stem=${stem%-}; done
    echo "bk-${stem}-${hash}"
}
# `snapshot.sh copy-names <backup id>`: the copy name of each claim name on stdin, one a line (for the tests).
if [ "${1:-}" = copy-names ]; then
    while read -r pvc; do copy_name "$2" "$pvc"; done
    exit 0
fi

LABEL=aihub-airgap/backup
DIR="$WORK/$BACKUP_ID"
log() { echo "snapshot.sh: $*"; }
now_ms() { date +%s%3N; }
s3() { aws --endpoint-url "$S3_ENDPOINT" s3 "$@"; }

mkdir -p "$DIR"
snapclass_of() { awk -v c="$1" '$1 == c { print $2 }' "$CLASS_MAP"; }
shallow_of() { awk -v c="$1" '$1 == c { print $3 }' "$CLASS_MAP"; }

# 1. Snapshots of every claim whose StorageClass has a snapshot class (our own clones and the target excluded).
echo "snapshots-started $(now_ms)" >>"$DIR/timeline"
: >"$DIR/snapshots.tsv"
kubectl -n "$NAMESPACE" get pvc -l "!aihub-airgap/backup-copy" \
    -o jsonpath='{range .items[*]}{.metadata.name} {.spec.storageClassName} {.spec.resources.requests.storage} {.spec.accessModes[0]}{"\n"}{end}' |
    while read -r pvc class size mode; do
        [ "$pvc" != "${TARGET_PVC:-}" ] || continue
        snapclass=$(snapclass_of "$class")
        if [ -z "$snapclass" ]; then
            log "skipping PVC $pvc: StorageClass $class has no snapshot class"
            continue
        fi
        kubectl -n "$NAMESPACE" apply -f - <<YAML
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata:
  name: ${pvc}-${BACKUP_ID}
  labels: { ${LABEL}: "${BACKUP_ID}", aihub-airgap/pvc: "${pvc}" }
spec:
  volumeSnapshotClassName: ${snapclass}
  source: { persistentVolumeClaimName: ${pvc} }
YAML
        printf '%s\t%s\t%s\t%s\t%s\n' "$pvc" "${pvc}-${BACKUP_ID}" "$class" "$size" "$mode" >>"$DIR/snapshots.tsv"
    done
echo "snapshots-created $(now_ms)" >>"$DIR/timeline"

# 1b. Runs that never completed (a snapshot that never became ready, a failed dump or copy): once one is older than
# RUN_TIMEOUT, Kubernetes has ended it (activeDeadlineSeconds), so its snapshots, copy claims and Jobs and partial files
# go. A younger one may still be running (an on-demand run beside a scheduled one) and stays. Done here, after this
# run's snapshots exist (so they start with the dumps) and before anything of this run can fail.
cutoff=$(date -u -d "@$(($(date +%s) - RUN_TIMEOUT))" +%Y-%m-%dT%H:%M:%SZ)
kubectl -n "$NAMESPACE" get volumesnapshot -l "$LABEL" \
    -o jsonpath='{range .items[*]}{.metadata.labels.aihub-airgap/backup} {.metadata.creationTimestamp} {.metadata.labels.aihub-airgap/complete}{"\n"}{end}' |
    awk -v cutoff="$cutoff" -v self="$BACKUP_ID" '
        $3 == "true" { done[$1] = 1 }
        !($1 in newest) || $2 > newest[$1] { newest[$1] = $2 }
        END { for (id in newest) if (!(id in done) && id != self && newest[id] < cutoff) print id }' |
    while read -r old; do
        log "removing backup $old: it never completed and started more than ${RUN_TIMEOUT}s ago"
        kubectl -n "$NAMESPACE" delete volumesnapshot -l "$LABEL=$old" --wait=false
        kubectl -n "$NAMESPACE" delete job,pvc -l "aihub-airgap/backup-copy=$old" --wait=false
        if [ "$TARGET_KIND" = pvc ]; then rm -rf "${WORK:?}/$old"; else s3 rm --recursive "$S3_URL/$old/"; fi
    done
# A snapshot the CSI controllers refuse carries the reason in status.error (retried, so not final until the timeout):
# name it, or a run fails with no more than kubectl's "timed out waiting for the condition".
if [ -s "$DIR/snapshots.tsv" ] && ! kubectl -n "$NAMESPACE" wait volumesnapshot -l "$LABEL=$BACKUP_ID" \
    --for=jsonpath='{.status.readyToUse}'=true --timeout="${SNAPSHOT_TIMEOUT}s"; then
    kubectl -n "$NAMESPACE" get volumesnapshot -l "$LABEL=$BACKUP_ID" \
        -o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.status.readyToUse}{"\t"}{.status.error.message}{"\n"}{end}' |
        while IFS=$'\t' read -r name ready error; do
            [ "$ready" = true ] && continue
            log "volumesnapshot $name not ready after ${SNAPSHOT_TIMEOUT}s: ${error:-no error reported (does the CSI snapshotter of the snapshot class driver run?)}"
        done
    exit 1
fi
echo "snapshots-ready $(now_ms)" >>"$DIR/timeline"
log "$(wc -l <"$DIR/snapshots.tsv") snapshots ready"

# 2. The dumps (the other container) must have finished.
for _ in $(seq 1 "$SNAPSHOT_TIMEOUT"); do
    [ -f "$DIR/db/complete" ] && break
    [ -f "$DIR/db.failed" ] && { log "the database dump failed; this backup is incomplete"; exit 1; }
    sleep 1
done
[ -f "$DIR/db/complete" ] || { log "no complete dump after ${SNAPSHOT_TIMEOUT}s"; exit 1; }

# 3. Copy each snapshot's contents out through a copy PVC, one at a time: a shallow read-only volume where the class
# has a shallow class (CephFS), else a clone in the source's class and access mode.
while IFS=$'\t' read -r pvc snap class size mode; do
    clone=$(copy_name "$BACKUP_ID" "$pvc")
    shallow=$(shallow_of "$class")
    if [ -n "$shallow" ]; then
        copyClass=$shallow copyMode=ReadOnlyMany
    else
        copyClass=$class copyMode=$mode
    fi
    if [ "$TARGET_KIND" = pvc ]; then
        dest="mkdir -p /target/$BACKUP_ID/volumes && tar -C /src -czf /target/$BACKUP_ID/volumes/$pvc.tar.gz.partial . && mv /target/$BACKUP_ID/volumes/$pvc.tar.gz.partial /target/$BACKUP_ID/volumes/$pvc.tar.gz"
        targetVolume="{ name: target, persistentVolumeClaim: { claimName: $TARGET_PVC } }"
        envFrom=""
    else
        dest="tar -C /src -cz . | aws --endpoint-url $S3_ENDPOINT s3 cp - $S3_URL/$BACKUP_ID/volumes/$pvc.tar.gz"
        targetVolume="{ name: target, emptyDir: {} }"
        envFrom="envFrom: [ { secretRef: { name: aihub-backup-s3 } } ]"
    fi
    kubectl -n "$NAMESPACE" apply -f - <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${clone}
  labels: { aihub-airgap/backup-copy: "${BACKUP_ID}" }
spec:
  storageClassName: ${copyClass}
  accessModes: [ ${copyMode} ]
  resources: { requests: { storage: ${size} } }
  dataSource: { apiGroup: snapshot.storage.k8s.io, kind: VolumeSnapshot, name: ${snap} }
---
apiVersion: batch/v1
kind: Job
metadata:
  name: ${clone}
  labels: { aihub-airgap/backup-copy: "${BACKUP_ID}" }
spec:
  backoffLimit: 2
  ttlSecondsAfterFinished: 3600
  template:
    spec:
      restartPolicy: Never
      imagePullSecrets: [ { name: ${PULL_SECRET} } ]
      containers:
        - name: copy
          image: ${TOOLS_IMAGE}
          command: [ bash, -c, "set -o pipefail; ${dest}" ]
          ${envFrom}
          volumeMounts: [ { name: src, mountPath: /src, readOnly: true }, { name: target, mountPath: /target } ]
      volumes:
        - { name: src, persistentVolumeClaim: { claimName: ${clone}, readOnly: true } }
        - ${targetVolume}
YAML
    kubectl -n "$NAMESPACE" wait "job/$clone" --for=condition=complete --timeout="${SNAPSHOT_TIMEOUT}s"
    kubectl -n "$NAMESPACE" delete "job/$clone" "pvc/$clone" --wait=false
    log "copied $pvc (${shallow:+shallow }$copyMode volume of class $copyClass)"
done <"$DIR/snapshots.tsv"
echo "copied $(now_ms)" >>"$DIR/timeline"

# 4. Mark the backup complete (a restore refuses a backup without it), upload for S3.
touch "$DIR/COMPLETE"
if [ "$TARGET_KIND" = s3 ]; then
    s3 cp --recursive "$DIR" "$S3_URL/$BACKUP_ID/"
fi
kubectl -n "$NAMESPACE" label volumesnapshot -l "$LABEL=$BACKUP_ID" aihub-airgap/complete=true --overwrite

# 5. Retention: keep the newest $RETENTION complete backups (their snapshots and copies); older ones go.
kubectl -n "$NAMESPACE" get volumesnapshot -l "$LABEL,aihub-airgap/complete=true" \
    -o jsonpath='{range .items[*]}{.metadata.creationTimestamp} {.metadata.labels.aihub-airgap/backup}{"\n"}{end}' |
    sort -r | awk '{ print $2 }' | awk '!seen[$0]++' | tail -n +"$((RETENTION + 1))" |
    while read -r old; do
        log "retention: removing backup $old"
        kubectl -n "$NAMESPACE" delete volumesnapshot -l "$LABEL=$old"
        if [ "$TARGET_KIND" = pvc ]; then rm -rf "${WORK:?}/$old"; else s3 rm --recursive "$S3_URL/$old/"; fi
    done
log "backup $BACKUP_ID complete"
