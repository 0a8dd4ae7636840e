"""Django's Redis cache (CACHE_URL=rediscache://…), keeping its redis client.

Django's RedisCacheClient builds a new `redis.Redis` for every cache call, 88 µs each on this
project's bench machine (the client copies its table of response callbacks), and a signed-in
page makes two or three calls (its session, a filter form's people, the grade criteria): a tenth
of a list page's time. One client per connection pool serves every call instead: a `redis.Redis`
is safe to share between threads, and its pool opens new connections after a fork."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        # Pools are kept for the life of this object (self._pools): an id is never reused.
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
