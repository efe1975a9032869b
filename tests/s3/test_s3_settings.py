"""The S3 settings: a section of [server], checked when the settings load."""

import pytest

from evidence.errors import ConfigError
from liuhen.settings import load_settings


def test_the_s3_section_comes_from_the_file_and_the_environment(tmp_path):
    config = tmp_path / "liuhen.toml"
    config.write_text(
        '[server]\nblob_store = "s3"\nupload_area = "s3"\n'
        '[server.s3]\nbucket = "liuhen-evidence"\nretain_days = 365\n'
    )
    settings = load_settings(config, environ={"LIUHEN_SERVER__S3__REGION": "cn-north-1"})
    s3 = settings.server.s3
    assert (s3.bucket, s3.retain_days, s3.region) == ("liuhen-evidence", 365, "cn-north-1")
    assert settings.server.store_options() == {"s3": s3}


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('blob_store = "s3"\n', "server.s3.bucket is not set"),
        ('upload_area = "s3"\n', 'upload_area "s3" needs server.blob_store "s3"'),
        (
            'blob_store = "s3"\n[server.s3]\nbucket = "b-1"\nretain_days = 0\n',
            "retain_days must be from 1",
        ),
    ],
)
def test_unusable_s3_settings_are_refused_when_they_load(tmp_path, text, complaint):
    config = tmp_path / "liuhen.toml"
    config.write_text("[server]\n" + text)
    with pytest.raises(ConfigError, match=complaint):
        load_settings(config, environ={})
