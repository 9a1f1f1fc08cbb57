#!/usr/bin/env bash
# Start PostgreSQL and RabbitMQ on loopback if they are not answering, then wait for them.
# Fails (exit 1) when a service cannot be brought up: the tests never run against a half machine.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {  # name port seconds
  for _ in $(seq "$3"); do port_open "$2" && return 0; sleep 1; done
  echo "ensure-services: $1 is not answering on 127.0.0.1:$2" >&2
  return 1
}

if ! port_open 5432; then
  echo "ensure-services: starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  else
    echo "ensure-services: PostgreSQL is stopped and pg_ctlcluster is not installed" >&2
    exit 1
  fi
fi
wait_port PostgreSQL 5432 60

if ! port_open 5672; then
  echo "ensure-services: starting RabbitMQ"
  if command -v rabbitmq-server >/dev/null; then
    rabbitmq-server -detached
  else
    echo "ensure-services: RabbitMQ is stopped and rabbitmq-server is not installed" >&2
    exit 1
  fi
fi
wait_port RabbitMQ 5672 90
echo "ensure-services: PostgreSQL and RabbitMQ are up"
