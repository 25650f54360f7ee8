"""The desk takes no file uploads: no screen or API endpoint asks for one (imports are management
commands an administrator runs on the server). A file in any request is refused at its first byte, so
nothing a client sends is ever written to memory or disk as a file; the request's other fields before
it still arrive, and the view answers as it would without the file.
"""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class RefuseFiles(FileUploadHandler):
    chunk_size = 64 * 1024  # also how much of the body Django reads at a time

    def new_file(self, *args, **kwargs):
        raise StopUpload(connection_reset=True)  # stop reading: the rest of the body is not wanted

    def receive_data_chunk(self, raw_data, start):
        return None

    def file_complete(self, file_size):
        return None
